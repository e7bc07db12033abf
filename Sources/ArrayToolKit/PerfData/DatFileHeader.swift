// The fixed 337-byte header at the start of every .dat file.

/// What the fixed part of a .dat file says about the array.
public struct DatFileHeader: Equatable, Sendable {
  /// Size of the fixed header in bytes; the first block starts here.
  public static let size = 337

  public var version: UInt32
  /// The array serial number, NUL padding removed.
  public var serial: String
  /// The array model, NUL padding removed.
  public var model: String
  /// The length of the data that follows, as the file claims; informative only.
  public var declaredLength: UInt32

  public init(version: UInt32, serial: String, model: String, declaredLength: UInt32) {
    self.version = version
    self.serial = serial
    self.model = model
    self.declaredLength = declaredLength
  }

  /// Reads the fields from the first `size` bytes of a file. The 32-byte check field at the
  /// start is not validated: its meaning is not publicly documented.
  init(bytes: UnsafeRawBufferPointer) {
    version = bytes.loadUnaligned(fromByteOffset: 32, as: UInt32.self).littleEndian
    serial = Self.paddedText(UnsafeRawBufferPointer(rebasing: bytes[36..<292]))
    model = Self.paddedText(UnsafeRawBufferPointer(rebasing: bytes[292..<333]))
    declaredLength = bytes.loadUnaligned(fromByteOffset: 333, as: UInt32.self).littleEndian
  }

  private static func paddedText(_ bytes: UnsafeRawBufferPointer) -> String {
    let end = bytes.firstIndex(of: 0) ?? bytes.count
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
  }
}
