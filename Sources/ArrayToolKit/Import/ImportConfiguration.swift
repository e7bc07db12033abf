// The validated settings of one import, built from the command line and the environment before
// anything is read or sent.

import Foundation

/// Everything `ImportPipeline` needs to know, already checked.
public struct ImportConfiguration: Sendable {
  public var targets: [ImportTarget]
  /// Taken over when a batch cannot reach any primary target after its retries.
  public var fallbackTargets: [ImportTarget] = []
  /// Where undeliverable batches go; nil reports them as not delivered.
  public var spoolDirectory: String?
  /// What a replay of the spool must be told again, as command-line words after `--replay
  /// DIR` (` --query-url URL`, the credentials' files): the spool records the targets, not
  /// these.
  public var replayOptions = ""
  /// The root of the journals of accepted batches, a folder per target; nil keeps no journal.
  public var journalDirectory: String?
  /// Send again what the journal says was accepted.
  public var force = false
  /// Whether the inputs were verified before the import (its preflight passed). Without that, a
  /// file's batches are held until its checksums are read at its end (up to `heldBytes`), so
  /// that values read from damaged bytes are not sent.
  public var inputsVerified = false
  /// The most import lines held per file while its checksums are not read yet.
  public var heldBytes = 32 << 20
  /// Most samples in one request.
  public var batchSamples = 200_000
  /// Most samples in one JSON line (VictoriaMetrics limits the length of a line).
  public var lineSamples = DatDecoder.maxChunkRows
  /// Most body bytes (before compression) in one request.
  public var batchBytes = 2 << 20
  /// Requests in flight at once.
  public var concurrency = ProcessInfo.processInfo.activeProcessorCount
  /// Files decoded at once.
  public var decoders = ProcessInfo.processInfo.activeProcessorCount
  public var compress: CompressionChoice = .auto
  public var retry = RetryPolicy()
  /// Seconds one request may take.
  public var timeout: Double = 30
  /// Seconds one request of the checks around the import (what a target is, its health and
  /// flags) may take: `timeout`, at most 5, so that a server that does not answer holds the
  /// run up for seconds, not minutes.
  public var checkTimeout: Double { min(5, timeout) }
  public var credentials: Credentials = .none
  /// Seconds the landed check may wait for queues and counts.
  public var landedTimeout: Double = 120

  public init(targets: [ImportTarget]) {
    self.targets = targets
  }

  /// Whether bodies for `target` are gzip compressed.
  public func compresses(_ target: ImportTarget) -> Bool {
    switch compress {
    case .on: return true
    case .off: return false
    case .auto: return !target.isLoopback
    }
  }
}

/// `--compress auto|on|off`.
public enum CompressionChoice: String, CaseIterable, Sendable {
  case auto
  case on
  case off
}
