// What `Verifier.verify` found, in a form both the `verify` command and the import preflight can
// use: the problems with their locations, the notes, the inputs that could not be read at all and
// the counts of the summary line.

/// A file or member with its digest, for writing a manifest.
public struct ChecksumEntry: Equatable, Sendable {
  /// The name as a manifest line gives it: the input's path, or the member's name.
  public var name: String
  /// Lower-case hex.
  public var digest: String
}

/// The outcome of verifying inputs.
public struct VerifyResult: Sendable {
  /// Every problem, in the order found: inputs in order, entries in file order, then the
  /// manifests' verdicts.
  public var problems: [InputFault] = []
  /// Worth knowing but not problems: zero padding, data in front of a zip, lines not compared.
  public var notes: [InputNote] = []
  /// Inputs that could not be read at all (missing, unreadable); they make the exit status 2.
  public var errors: [SystemError] = []
  /// Files on disk and zip members that were read.
  public var filesChecked = 0
  /// Bytes read from the inputs' files.
  public var bytesRead: Int64 = 0
  /// Manifest lines whose checksum matched.
  public var checksumsMatched = 0
  /// With `VerifyOptions.manifestToWrite`: the files or members and their digests, in order.
  public var manifestEntries: [ChecksumEntry] = []

  public init() {}

  /// Whether everything was read and nothing was wrong.
  public var ok: Bool { problems.isEmpty && errors.isEmpty }

  /// 0 clean, 1 problems, 2 an input could not be read.
  public var exitStatus: ExitStatus {
    if !errors.isEmpty { return .usage }
    return problems.isEmpty ? .success : .problems
  }
}

/// How `Verifier.verify` works.
public struct VerifyOptions: Sendable {
  /// Manifests named by the user (`--manifest`), checked in full.
  public var manifests: [String] = []
  /// The guard against decompression bombs. Deflate alone cannot expand data much more than
  /// 1032 times, so the default ratio stops only data compressed twice over (a zip bomb's
  /// nesting), never a genuine export.
  public var limits = ExpansionLimits(maxRatio: 2000, maxBytes: 1 << 40)
  /// Compute this digest of every input (or, with `manifestOfMembers`, of every member of the
  /// one zip input) for a manifest to be written.
  public var manifestToWrite: DigestAlgorithm?
  public var manifestOfMembers = false
  /// Told how far the reading has come, a few times a second and once at its end.
  public var progress: (@Sendable (ReadProgress) -> Void)?

  public init() {}
}
