// The fixed 337-byte header at the start of every .dat file, and the check that tells a file
// that is no performance data (a text log, a JSON file, a binary of another kind) from a damaged
// one before its blocks are decoded.

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

  /// The largest format version believed: a version counts releases of the format, while
  /// four bytes of text read as at least 0x20202020.
  static let maxVersion: UInt32 = 0xFFFF

  /// Why `bytes`, the start of a file, cannot be the start of a .dat file: the offset of the
  /// first implausible field and what is wrong with it; nil when every field that `bytes` holds
  /// in full is plausible. A file cut inside its header is still checked as far as it goes.
  static func implausibleField(in bytes: UnsafeRawBufferPointer)
    -> (offset: Int, reason: String)?
  {
    if bytes.count >= 36 {
      let version = bytes.loadUnaligned(fromByteOffset: 32, as: UInt32.self).littleEndian
      if version > maxVersion {
        return (32, "the format version field holds \(version), more than \(maxVersion)")
      }
    }
    // An array always knows its serial; a model left blank would harm nothing.
    let texts = [("serial number", 36..<292, false), ("model", 292..<333, true)]
    for (name, range, mayBeEmpty) in texts where bytes.count >= range.upperBound {
      let field = UnsafeRawBufferPointer(rebasing: bytes[range])
      if let reason = textProblem(field, mayBeEmpty: mayBeEmpty) {
        return (range.lowerBound, "the array \(name) field " + reason)
      }
    }
    return nil
  }

  /// What keeps the text before the first NUL of `field` from being a name: not UTF-8, a
  /// control character, nothing at all. What follows the NUL is not looked at: the format
  /// speaks of NUL padding, but a writer that does not clear its buffer would be no less real.
  private static func textProblem(_ field: UnsafeRawBufferPointer, mayBeEmpty: Bool) -> String? {
    let end = field.firstIndex(of: 0) ?? field.count
    if end == 0 { return mayBeEmpty ? nil : "is empty" }
    let text = UnsafeRawBufferPointer(rebasing: field[0..<end])
    guard let decoded = String(validating: text, as: UTF8.self) else {
      return "is not UTF-8 text"
    }
    let controls = decoded.unicodeScalars.lazy.filter { $0.properties.generalCategory == .control }
    if let control = controls.first {
      return "holds the control character " + printable(String(control))
    }
    return nil
  }

  private static func paddedText(_ bytes: UnsafeRawBufferPointer) -> String {
    let end = bytes.firstIndex(of: 0) ?? bytes.count
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
  }
}
