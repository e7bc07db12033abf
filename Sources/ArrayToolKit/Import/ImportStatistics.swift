// The running tally of an import, shared by decoder and sender threads, and the final figures the
// report is written from.

import Foundation

/// A file, member and reason for something that was not imported, or that waits in the spool.
public struct ImportFailure: Equatable, Sendable {
  public var file: String
  public var member: String?
  public var reason: String
  /// Samples of this file that were not delivered because of it (0 for a decode fault, whose
  /// complete rows before the damage were still sent), or that it keeps in the spool.
  public var samples: Int
}

/// What an import did, as the report states it.
public struct ImportResult: Sendable {
  public var filesTotal = 0
  public var filesOK = 0
  public var filesFailed = 0
  /// Files that failed in nothing but some of their batches are in the spool, which a replay
  /// sends: spooled by this run or by an earlier one.
  public var filesSpooled = 0
  /// Files the journal said were imported before; nothing of them was sent.
  public var filesSkipped = 0
  /// Files left out because an earlier input of the run holds the same bytes.
  public var filesDuplicate = 0
  /// The inputs so left out.
  public var duplicates: [DuplicateInput] = []
  /// Files left unfinished because the run was interrupted.
  public var filesInterrupted = 0
  public var samplesSent = 0
  public var samplesFailed = 0
  public var samplesSpooled = 0
  /// Samples spooled by an earlier run and not replayed yet.
  public var samplesWaiting = 0
  /// Samples of partly imported files left out because the journal had them on record as
  /// accepted or spooled before.
  public var samplesSkipped = 0
  /// Samples the journal had on record as accepted before, of every file it skipped or resumed.
  public var samplesSentBefore = 0
  public var series = 0
  public var batchesSent = 0
  public var batchesRetried = 0
  public var batchesFailed = 0
  public var batchesSpooled = 0
  /// Batches not sent again after a request was cut off, because the stores held all of them.
  public var batchesFoundStored = 0
  /// Batches of which a cut-off request had stored part: only the rest was sent again.
  public var batchesRestSent = 0
  /// Batches sent again after a cut-off request of theirs that nothing of them was found
  /// stored for.
  public var batchesResentUnfound = 0
  /// Batches accepted per target base URL.
  public var batchesByTarget: [String: Int] = [:]
  public var serials: [String] = []
  public var firstTimestamp: Int64?
  public var lastTimestamp: Int64?
  public var seconds: Double = 0
  public var failures: [ImportFailure] = []
  /// What of the files is in the spool for `--replay`: each batch spooled by this run, and the
  /// samples of a file an earlier run spooled. Nothing of it is lost.
  public var spooledForReplay: [ImportFailure] = []
  public var warnings: [String] = []
  public var targets: [String] = []
  public var interrupted = false
  public var spoolDirectory: String?
  /// `ImportConfiguration.replayOptions`, for the replay command the report names.
  public var replayOptions = ""
  /// What took the samples (`vmagent`, or the targets' URLs) when every one was delivered but no
  /// VictoriaMetrics was known to read the retention from or count them in: nothing then says
  /// that they were stored.
  public var acceptedOnlyBy: String?
  /// Samples sent per series, counted and with the print of their timestamps (for the landed
  /// check).
  public var samplesBySeries: [SeriesKey: SampleSet] = [:]
  /// For series that several metric ids of one element map to in some file: the samples sent
  /// beyond one per timestamp (a file whose element has two such ids sent each timestamp twice).
  public var collidingExcess: [SeriesKey: SampleSet] = [:]

  /// What the landed check should find per series: what was sent, except that a store that
  /// deduplicates keeps one sample per timestamp of a series several metric ids were sent to.
  public func expectedBySeries(deduplicated: Bool) -> [SeriesKey: SampleSet] {
    guard deduplicated, !collidingExcess.isEmpty else { return samplesBySeries }
    var expected = samplesBySeries
    for (key, excess) in collidingExcess {
      if let sent = expected[key] { expected[key] = sent.removing(excess) }
    }
    return expected
  }

  /// Samples per second over the whole run.
  public var throughput: Double { seconds > 0 ? Double(samplesSent) / seconds : 0 }

  /// Whether every sample of every file was delivered.
  public var allDelivered: Bool {
    filesFailed == 0 && batchesFailed == 0 && batchesSpooled == 0 && samplesWaiting == 0
      && !interrupted
  }
}

/// Thread-safe counters of a running import.
final class ImportTally: @unchecked Sendable {
  private let lock = NSLock()
  private var result = ImportResult()
  private var layoutsSeen: Set<Int> = []
  /// For each layout with collisions, the value positions of each series several of its
  /// metric ids map to.
  private var collidingPositions: [Int: [[Int]]] = [:]
  private var serials: Set<String> = []
  /// Per unit: batches not yet settled, whether decoding ended, whether anything failed.
  private var pending: [Int] = []
  private var decoded: [Bool] = []
  private var failed: [Bool] = []
  /// Per unit: whether some of its batches are in the spool.
  private var spooled: [Bool] = []
  private var unclean: [Bool] = []
  /// Units whose decoding stopped at an interrupt: they are not counted as files.
  private var interrupted: [Bool] = []
  /// Per unit: whether this run cut a batch of it, and whether it left samples out as sent
  /// before. A unit with no batch and samples left out was imported before, by an earlier run.
  private var cutAny: [Bool] = []
  private var skippedAny: [Bool] = []
  private var resetArchives: Set<String> = []
  private(set) var samplesDecoded = 0
  private(set) var unitsDone = 0
  /// Called once per unit when it is decoded and all its batches are settled; the flag says
  /// whether all of it was delivered or spooled without a fault.
  var unitSettled: ((Int, Bool) -> Void)?

  init(units: Int) {
    result.filesTotal = units
    pending = Array(repeating: 0, count: units)
    decoded = Array(repeating: false, count: units)
    failed = Array(repeating: false, count: units)
    spooled = Array(repeating: false, count: units)
    unclean = Array(repeating: false, count: units)
    interrupted = Array(repeating: false, count: units)
    cutAny = Array(repeating: false, count: units)
    skippedAny = Array(repeating: false, count: units)
  }

  func withLock<T>(_ body: () -> T) -> T {
    lock.lock()
    defer { lock.unlock() }
    return body()
  }

  /// True the first time an archive is claimed for a journal reset under `--force`.
  func claimReset(_ archive: String) -> Bool {
    withLock { !resetArchives.insert(archive).inserted }
  }

  func warning(_ text: String) {
    withLock { result.warnings.append(text) }
  }

  func batchCut(_ batch: ImportBatch) {
    withLock {
      pending[batch.unitIndex] += 1
      cutAny[batch.unitIndex] = true
      samplesDecoded += batch.samples
    }
  }

  /// Counts the series of `layout` once per distinct layout object.
  func layout(_ layout: SeriesLayout) {
    withLock {
      guard layoutsSeen.insert(layout.id).inserted else { return }
      serials.insert(layout.serial)
      guard !layout.collisions.isEmpty else { return }
      var positions: [SeriesKey: [Int]] = [:]
      for position in 0..<layout.count { positions[layout.key(at: position), default: []].append(position) }
      collidingPositions[layout.id] = positions.values.filter { $0.count > 1 }
    }
  }

  /// Adds the samples a file put into batches, per value position of each layout.
  func samples(_ counts: [(SeriesLayout, [SampleSet])]) {
    withLock {
      for (layout, perPosition) in counts {
        for (position, samples) in perPosition.enumerated() where samples.count > 0 {
          result.samplesBySeries[layout.key(at: position), default: SampleSet()].add(samples)
        }
        // The positions of one series hold the same rows: one of them is what a store that
        // deduplicates keeps.
        for positions in collidingPositions[layout.id] ?? [] {
          let sent = positions.map { perPosition[$0] }
          guard let kept = sent.max(by: { $0.count < $1.count }), kept.count > 0 else { continue }
          var excess = SampleSet()
          for samples in sent { excess.add(samples) }
          result.collidingExcess[layout.key(at: positions[0]), default: SampleSet()].add(
            excess.removing(kept))
        }
      }
    }
  }

  func timeRange(_ summary: DatFileSummary) {
    withLock {
      if let first = summary.firstTimestamp {
        result.firstTimestamp = min(result.firstTimestamp ?? first, first)
      }
      if let last = summary.lastTimestamp {
        result.lastTimestamp = max(result.lastTimestamp ?? last, last)
      }
    }
  }

  /// A file the journal says was fully handled before; `waiting` when part of it is still in
  /// the spool, which makes it a file not delivered yet.
  func unitSkipped(_ index: Int, waiting: Bool) {
    withLock {
      if waiting { result.filesSpooled += 1 } else { result.filesSkipped += 1 }
      unitsDone += 1
    }
  }

  /// Samples of a file that the journal has on record as accepted by an earlier run.
  func sentBefore(_ samples: Int) {
    withLock { result.samplesSentBefore += samples }
  }

  /// Part of a file was spooled by an earlier run and not replayed yet; `replay` is what
  /// follows `--replay` in the command that sends it (the spool folder and the options).
  func waitingInSpool(_ index: Int, unit: DatUnit, samples: Int, replay arguments: String?) {
    withLock {
      spooled[index] = true
      result.samplesWaiting += samples
      let replay = arguments.map { ": send them with 'arraytool import --replay \($0)'" } ?? ""
      result.spooledForReplay.append(
        ImportFailure(
          file: unit.path, member: unit.member,
          reason: "\(samples) samples from an earlier run are still in the spool\(replay)",
          samples: samples))
    }
  }

  func unitInterrupted(_ index: Int, skippedSamples: Int) {
    withLock {
      result.filesInterrupted += 1
      result.samplesSkipped += skippedSamples
      unclean[index] = true
      interrupted[index] = true
      decoded[index] = true
      settle(index)
    }
  }

  /// - Parameter withheld: samples of a damaged file that were not sent, since its checksum
  ///   puts every value read from it in doubt.
  func unitDecoded(
    _ index: Int, summary: DatFileSummary, skippedSamples: Int, withheld: Int = 0
  ) {
    withLock {
      decoded[index] = true
      result.samplesSkipped += skippedSamples
      if skippedSamples > 0 { skippedAny[index] = true }
      if let first = summary.firstTimestamp {
        result.firstTimestamp = min(result.firstTimestamp ?? first, first)
      }
      if let last = summary.lastTimestamp {
        result.lastTimestamp = max(result.lastTimestamp ?? last, last)
      }
      if let fault = summary.fault {
        failed[index] = true
        unclean[index] = true
        var reason = "\(fault.kind.rawValue) at offset \(fault.offset): \(fault.message)"
        if withheld > 0 {
          reason += "; none of its \(InspectReport.grouped(withheld)) samples was sent, as no "
            + "value read from it can be trusted"
        }
        result.failures.append(
          ImportFailure(file: fault.path, member: fault.member, reason: reason, samples: withheld))
      }
      for warning in summary.warnings { result.warnings.append(warning.line) }
      for collision in summary.collisions {
        result.warnings.append("\(summary.location): \(collision.message)")
      }
      settle(index)
    }
  }

  func unitUnreadable(_ index: Int, path: String, member: String?, reason: String) {
    withLock {
      decoded[index] = true
      failed[index] = true
      unclean[index] = true
      result.failures.append(ImportFailure(file: path, member: member, reason: reason, samples: 0))
      settle(index)
    }
  }

  func batchSettled(_ batch: ImportBatch, outcome: DeliveryOutcome) {
    withLock {
      switch outcome {
      case .delivered(let target, let attempts, let storedBefore):
        result.batchesSent += 1
        switch storedBefore {
        case .all: result.batchesFoundStored += 1
        case .part: result.batchesRestSent += 1
        case .nothing: break
        }
        result.samplesSent += batch.samples
        result.batchesByTarget[target, default: 0] += 1
        if attempts > 1 { result.batchesRetried += 1 }
      case .spooled(_, let attempts, let failure):
        result.batchesSpooled += 1
        result.samplesSpooled += batch.samples
        if attempts > 1 { result.batchesRetried += 1 }
        spooled[batch.unitIndex] = true
        result.spooledForReplay.append(
          ImportFailure(
            file: batch.path, member: batch.member,
            reason: "\(batch.samples) samples (\(batch.blockRange)) spooled for replay after "
              + "\(attempts) attempt\(attempts == 1 ? "" : "s"): \(failure.message)"
              + (failure.mayHaveArrived ? " (\(DeliveryFailure.mayBeStoredNote))" : ""),
            samples: batch.samples))
      case .failed(let attempts, let failure):
        result.batchesFailed += 1
        result.samplesFailed += batch.samples
        if attempts > 1 { result.batchesRetried += 1 }
        failed[batch.unitIndex] = true
        unclean[batch.unitIndex] = true
        result.failures.append(
          ImportFailure(
            file: batch.path, member: batch.member,
            reason: "\(batch.samples) samples (\(batch.blockRange)) not delivered after "
              + "\(attempts) attempt\(attempts == 1 ? "" : "s"): \(failure.message)",
            samples: batch.samples))
      }
      pending[batch.unitIndex] -= 1
      settle(batch.unitIndex)
    }
  }

  /// Counts a unit as done once it is decoded and all its batches are settled; one whose
  /// decoding was interrupted is no file imported or failed, whichever of its batches settled
  /// first.
  private func settle(_ index: Int) {
    guard decoded[index], pending[index] == 0 else { return }
    decoded[index] = false
    unitsDone += 1
    if !interrupted[index] {
      if failed[index] {
        result.filesFailed += 1
      } else if spooled[index] {
        result.filesSpooled += 1
      } else if !cutAny[index] && skippedAny[index] {
        // Every sample of it was on record as sent (an import that a replay finished): nothing
        // of it was imported by this run.
        result.filesSkipped += 1
      } else {
        result.filesOK += 1
      }
    }
    unitSettled?(index, !unclean[index])
  }

  /// The figures so far: (files done, samples sent, samples decoded).
  func progress() -> (files: Int, sent: Int, decoded: Int) {
    withLock { (unitsDone, result.samplesSent, samplesDecoded) }
  }

  func finish(seconds: Double, targets: [String]) -> ImportResult {
    withLock {
      var final = result
      final.serials = serials.sorted()
      final.series = result.samplesBySeries.count
      final.seconds = seconds
      final.targets = targets
      let order = { (a: ImportFailure, b: ImportFailure) in
        (a.file, a.member ?? "") < (b.file, b.member ?? "")
      }
      final.failures.sort(by: order)
      final.spooledForReplay.sort(by: order)
      return final
    }
  }
}
