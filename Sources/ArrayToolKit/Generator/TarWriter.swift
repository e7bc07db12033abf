// Writes the one-member ustar archives that every .tgz of an export holds.

/// Builds ustar archives.
public enum TarWriter {
  /// A ustar archive holding the regular file `name` with `bytes`, closed by two zero blocks.
  public static func archive(name: String, bytes: [UInt8], modified: Int64) -> [UInt8] {
    var header = [UInt8](repeating: 0, count: 512)
    func put(_ text: String, at offset: Int, width: Int) {
      for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
    }
    func octal(_ value: Int64, width: Int) -> String {
      let digits = String(value, radix: 8)
      return String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits
    }
    put(name, at: 0, width: 100)
    put(octal(0o644, width: 8), at: 100, width: 8)
    put(octal(0, width: 8), at: 108, width: 8)
    put(octal(0, width: 8), at: 116, width: 8)
    put(octal(Int64(bytes.count), width: 12), at: 124, width: 12)
    put(octal(modified, width: 12), at: 136, width: 12)
    put("        ", at: 148, width: 8)
    header[156] = UInt8(ascii: "0")
    put("ustar", at: 257, width: 6)
    put("00", at: 263, width: 2)
    put("root", at: 265, width: 32)
    put("root", at: 297, width: 32)
    let sum = header.reduce(0) { $0 + Int64($1) }
    put(octal(sum, width: 7), at: 148, width: 7)
    var archive = header + bytes
    archive += [UInt8](repeating: 0, count: (512 - bytes.count % 512) % 512 + 1024)
    return archive
  }
}
