// Decompresses gzip logs (`app.log.gz`, rotated `app.log.1.gz`, several members written one after
// another by `logrotate` or `cat a.gz b.gz`) for `analyze-logs`, through the archive readers' gzip
// stream, and words its faults as log-reading errors that name the file.

/// A `ByteSource` of the decompressed bytes of a gzip log.
final class GzipLogSource: ByteSource {
  private let reader: GzipReader
  private let name: String

  init(source: ByteSource, name: String) {
    reader = GzipReader(source)
    self.name = name
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    do {
      return try reader.read(into: buffer)
    } catch let fault as InputFault {
      let reason = fault.kind == .truncated ? "gzip data ends early" : fault.message
      throw LogInputError(path: name, offset: fault.offset, reason: reason)
    }
  }
}
