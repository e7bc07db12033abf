// What the name of an export file says: `PerfData_<model>_SN_<serial>_SP<n>_<k>_<YYYYMMDDhhmmss>`
// with `.tgz`, `.tar.gz` or `.dat` after it.

/// The parts of a performance file name.
public struct PerfFileName: Equatable, Sendable {
  public var model: String
  public var serial: String
  /// The storage processor (controller) number of `SP<n>`.
  public var processor: Int
  public var sequence: Int
  /// The time in the name as Unix seconds, read as UTC.
  public var timestamp: Int64

  /// Parses the last path component of `name`; nil when it does not follow the pattern.
  public init?(_ name: String) {
    var base = Substring(name.split(separator: "/").last ?? Substring(name))
    for suffix in [".tar.gz", ".tgz", ".dat", ".tar"] where base.hasSuffix(suffix) {
      base = base.dropLast(suffix.count)
      break
    }
    guard base.hasPrefix("PerfData_"), let snRange = base.range(of: "_SN_") else { return nil }
    model = String(base[base.index(base.startIndex, offsetBy: 9)..<snRange.lowerBound])
    let parts = base[snRange.upperBound...].split(separator: "_", omittingEmptySubsequences: false)
    guard parts.count == 4, !parts[0].isEmpty,
      parts[0].allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }),
      parts[1].hasPrefix("SP"), let processor = Int(parts[1].dropFirst(2)),
      let sequence = Int(parts[2]), parts[3].count == 14, parts[3].allSatisfy(\.isASCII),
      let stamp = Self.unixTime(parts[3])
    else { return nil }
    serial = String(parts[0])
    self.processor = processor
    self.sequence = sequence
    timestamp = stamp
  }

  /// The array, controller, sequence and time: what makes two files of one name hold the same
  /// samples, whatever their extension or folder.
  public var windowKey: String { "\(serial) \(processor) \(sequence) \(timestamp)" }

  /// `YYYYMMDDhhmmss` as Unix seconds (UTC), or nil when it is not a valid time.
  static func unixTime(_ text: Substring) -> Int64? {
    let digits = text.compactMap(\.wholeNumberValue)
    guard digits.count == 14 else { return nil }
    func number(_ range: Range<Int>) -> Int64 {
      digits[range].reduce(0) { $0 * 10 + Int64($1) }
    }
    let (year, month, day) = (number(0..<4), number(4..<6), number(6..<8))
    let (hour, minute, second) = (number(8..<10), number(10..<12), number(12..<14))
    guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
    else { return nil }
    let days = LogTime.dayNumber(year: Int(year), month: Int(month), day: Int(day))
    return days * 86_400 + hour * 3_600 + minute * 60 + second
  }
}
