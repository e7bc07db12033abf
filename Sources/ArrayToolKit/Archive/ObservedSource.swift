// A pass-through stream that shows every byte it hands on to an observer. Checksums of a member
// are computed this way while the member is being checked, so that its bytes are read once.

/// A `ByteSource` that lets an observer see the bytes it passes on.
public final class ObservedSource: ByteSource {
  private let source: ByteSource
  private let observer: (UnsafeRawBufferPointer) throws -> Void

  /// Passes on `source`; `observer` sees each run of bytes before the reader gets it.
  public init(_ source: ByteSource, observer: @escaping (UnsafeRawBufferPointer) throws -> Void) {
    self.source = source
    self.observer = observer
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = try source.read(into: buffer)
    if count > 0 { try observer(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) }
    return count
  }
}
