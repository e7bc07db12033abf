// Which files and zip members need which digests, what the manifests expect of them, and, once
// everything was read, which expectations held. The plan is made before any data is read, so
// that each file and member is hashed with every algorithm it needs in the one pass that checks
// it.

#if canImport(Glibc)
  import Glibc
#endif

/// A file on disk, known by device and inode so that `./x.zip` and `x.zip` are the same file.
struct FileIdentity: Hashable {
  let device: UInt64
  let inode: UInt64

  /// The identity of the regular file at `path`; nil when there is none.
  init?(path: String) {
    var info = stat()
    guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    self.init(info)
  }

  /// The identity of the file or folder `info` describes.
  init(_ info: stat) {
    device = UInt64(info.st_dev)
    inode = UInt64(info.st_ino)
  }
}

/// Something a manifest gives a checksum for.
enum ChecksumTarget: Hashable {
  case file(FileIdentity)
  case member(zip: FileIdentity, name: String)
}

/// Where a manifest came from; its lines are resolved accordingly.
struct ManifestSource {
  enum Origin {
    /// Named with `--manifest`, given as an input, or found in a folder that is an input.
    case explicit
    /// `X.sha256` beside the input `X`.
    case beside
    /// `SHA256SUMS` in an input's folder: only its lines about inputs count.
    case folder
    /// A member of a zip input.
    case inside
  }

  /// The manifest file, or the zip holding it.
  var path: String
  /// The manifest's member name inside the zip at `path`.
  var member: String?
  var origin: Origin
  /// What a line holding only a checksum is about: `X` for `X.sha256` (relative to the
  /// manifest's folder); nil when the manifest's name does not say.
  var defaultName: String?

  /// `path` or `path!member`.
  var location: String { member.map { "\(path)!\($0)" } ?? path }
}

/// The checksums to compute and to compare.
final class ChecksumPlan {
  private struct Expectation {
    var source: ManifestSource
    var line: ManifestLine
    var path: String
    var member: String?
  }

  private var expectations: [ChecksumTarget: [Expectation]] = [:]
  private var wanted: [ChecksumTarget: Set<DigestAlgorithm>] = [:]
  private var order: [ChecksumTarget] = []
  private var computed: [ChecksumTarget: [DigestAlgorithm: String]] = [:]

  /// Records that `line` of `source` gives the checksum of `target`, found at `path!member`.
  func expect(
    _ target: ChecksumTarget, line: ManifestLine, source: ManifestSource, path: String,
    member: String?
  ) {
    if expectations[target] == nil { order.append(target) }
    expectations[target, default: []].append(
      Expectation(source: source, line: line, path: path, member: member))
    wanted[target, default: []].insert(line.algorithm)
  }

  /// Asks for the `algorithm` digest of `target` without a manifest expecting it (to write one).
  func want(_ algorithm: DigestAlgorithm, of target: ChecksumTarget) {
    wanted[target, default: []].insert(algorithm)
  }

  /// The algorithms `target` must be hashed with, in a fixed order.
  func algorithms(for target: ChecksumTarget) -> [DigestAlgorithm] {
    guard let set = wanted[target] else { return [] }
    return DigestAlgorithm.allCases.filter { set.contains($0) }
  }

  /// Records the digests of `target`, computed over all of its bytes.
  func record(_ digests: [DigestAlgorithm: String], for target: ChecksumTarget) {
    guard !digests.isEmpty else { return }
    computed[target, default: [:]].merge(digests) { first, _ in first }
  }

  /// The recorded digest of `target`.
  func digest(of target: ChecksumTarget, _ algorithm: DigestAlgorithm) -> String? {
    computed[target]?[algorithm]
  }

  /// Compares every expectation with what was computed.
  /// - Returns: the number of lines that matched, the mismatches as faults and notes for the
  ///   lines whose file could not be read to its end (its fault is reported already).
  func evaluate() -> (matched: Int, faults: [InputFault], notes: [InputNote]) {
    var matched = 0
    var faults: [InputFault] = []
    var notes: [InputNote] = []
    for target in order {
      for expectation in expectations[target] ?? [] {
        let line = expectation.line
        let said = "line \(line.number) of \(expectation.source.location)"
        guard let actual = computed[target]?[line.algorithm] else {
          notes.append(
            InputNote(
              at: 0, "not compared with \(said): the data could not be read to its end",
              path: expectation.path, member: expectation.member))
          continue
        }
        if actual == line.digest {
          matched += 1
        } else {
          faults.append(
            InputFault(
              .manifestMismatch, at: 0,
              "\(line.algorithm.displayName) is \(actual), but \(said) says \(line.digest)",
              path: expectation.path, member: expectation.member))
        }
      }
    }
    return (matched, faults, notes)
  }
}
