// Digests of a whole file computed from the reads that check its parts. Zip entries are checked
// in the order they lie in the file, and every byte a check reads is shown here with its offset;
// what the checks skip (local headers, the central directory) is read here to fill the gaps.
// So a zip's own SHA-256 costs one pass over the file, shared with the entry checks.

#if canImport(Glibc)
  import Glibc
#endif

/// Whole-file digests fed by positioned reads, in file order.
final class FileDigestTracker {
  let file: InputFile
  private let digests: DigestSet
  /// The file offset up to which the digests have been fed.
  private var covered: Int64 = 0
  /// Bytes read from the file by the checks and to fill gaps.
  private(set) var bytesRead: Int64 = 0
  /// Told of every byte read, for the progress line.
  private let meter: ReadProgressMeter?

  init(file: InputFile, algorithms: [DigestAlgorithm], meter: ReadProgressMeter? = nil) {
    self.file = file
    self.digests = DigestSet(algorithms)
    self.meter = meter
  }

  /// Takes in bytes a check read at `offset`; bytes before them that were not seen yet are read
  /// now. Bytes seen before (overlapping entries) are not fed twice.
  func observe(offset: Int64, bytes: UnsafeRawBufferPointer) throws {
    bytesRead += Int64(bytes.count)
    meter?.advance(bytes.count)
    guard !digests.isEmpty else { return }
    let end = offset + Int64(bytes.count)
    guard end > covered else { return }
    if offset > covered { try fill(upTo: offset) }
    let skip = Int(covered - offset)
    digests.update(UnsafeRawBufferPointer(rebasing: bytes[skip...]))
    covered = end
  }

  /// The observer to hand to readers.
  var observer: FileReadObserver {
    { [unowned self] offset, bytes in try self.observe(offset: offset, bytes: bytes) }
  }

  /// Reads what was not seen up to the end of the file and returns the digests by algorithm;
  /// empty when none were asked for.
  func finish() throws -> [DigestAlgorithm: String] {
    guard !digests.isEmpty else { return [:] }
    try fill(upTo: file.size)
    return digests.finish()
  }

  private func fill(upTo end: Int64) throws {
    guard end > covered else { return }
    let scratch = UnsafeMutableRawBufferPointer.allocate(
      byteCount: Int(min(end - covered, 256 * 1024)), alignment: 16)
    defer { scratch.deallocate() }
    while covered < end {
      let wanted = Int(min(Int64(scratch.count), end - covered))
      let count = try file.read(
        at: covered, into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<wanted]))
      guard count > 0 else {
        throw SystemError(
          "cannot read \(file.path)", code: EIO, reason: "the file shrank while it was read")
      }
      digests.update(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
      covered += Int64(count)
      bytesRead += Int64(count)
      meter?.advance(count)
    }
  }
}
