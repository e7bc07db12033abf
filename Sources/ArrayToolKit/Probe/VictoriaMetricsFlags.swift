// The command-line flags of a running VictoriaMetrics, as its /flags page lists them
// (`-retentionPeriod="100y"`, one per line), with the values that matter to an import turned
// into numbers: the retention as seconds, the deduplication interval, the longest accepted line
// and the label limit. /flags lists only flags given on the command line, so the others are
// reported with VictoriaMetrics' documented defaults.

/// The flags of a VictoriaMetrics server and what they mean for data sent to it.
public struct VictoriaMetricsFlags: Equatable, Sendable {
  /// Flag values by name without the dash, exactly as /flags printed them.
  public private(set) var values: [String: String] = [:]

  /// The flags the probe reports, in the order it reports them.
  public static let reported = [
    "retentionPeriod", "dedup.minScrapeInterval", "import.maxLineLen", "maxLabelsPerTimeseries",
  ]

  /// VictoriaMetrics' defaults (as of 1.79) for the reported flags.
  public static let defaults = [
    "retentionPeriod": "1",
    "dedup.minScrapeInterval": "0s",
    "import.maxLineLen": "104857600",
    "maxLabelsPerTimeseries": "30",
  ]

  /// Seconds in the units of `-retentionPeriod`; VictoriaMetrics counts a month as 31 days and
  /// a year as 365.
  static let retentionUnits: [String: Double] = [
    "ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400,
  ]
  static let secondsPerMonth = 31.0 * 86400

  /// Flags with the given values, as /flags would list them.
  public init(values: [String: String] = [:]) {
    self.values = values
  }

  /// Parses the whole text of a /flags page.
  public static func parse(_ text: String) -> VictoriaMetricsFlags {
    var flags = VictoriaMetricsFlags()
    for line in text.split(whereSeparator: \.isNewline) { flags.add(line: String(line)) }
    return flags
  }

  /// Adds one line such as `-retentionPeriod="100y"`; other lines are ignored.
  /// - Returns: whether the line was a flag.
  @discardableResult
  public mutating func add(line: String) -> Bool {
    let text = line.drop { $0 == " " }
    guard text.first == "-", let equals = text.firstIndex(of: "=") else { return false }
    let name = String(text[text.index(after: text.startIndex)..<equals])
    var value = text[text.index(after: equals)...]
    while value.last == " " || value.last == "\r" { value = value.dropLast() }
    guard !name.isEmpty else { return false }
    values[name] = Self.unquote(value)
    return true
  }

  /// The value of `name`: as set, or the default when /flags did not list it.
  public func value(_ name: String) -> String? {
    values[name] ?? Self.defaults[name]
  }

  /// `name=value`, with what the bare value does not say: `retentionPeriod=1 (months, default)`.
  public func shown(_ name: String) -> String {
    let value = value(name) ?? "?"
    // A retention without a unit is in months, which its bare number does not say.
    var notes: [String] = []
    if name == "retentionPeriod", !value.isEmpty, value.utf8.allSatisfy({ $0 &- 0x30 <= 9 }) {
      notes.append("months")
    }
    if !isSet(name) { notes.append("default") }
    return "\(name)=\(value)" + (notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))")
  }

  /// Whether /flags listed `name`, meaning it was set on the command line.
  public func isSet(_ name: String) -> Bool {
    values[name] != nil
  }

  /// How long VictoriaMetrics keeps data, in seconds; `nil` when the value cannot be read.
  public var retentionSeconds: Double? {
    value("retentionPeriod").flatMap(Self.retentionSeconds)
  }

  /// The deduplication interval in seconds; 0 means off.
  public var dedupIntervalSeconds: Double? {
    value("dedup.minScrapeInterval").flatMap(Self.goDurationSeconds)
  }

  /// The longest line `/api/v1/import` accepts, in bytes.
  public var importMaxLineBytes: Int? {
    value("import.maxLineLen").flatMap(Self.bytes)
  }

  /// How many labels a series may have before the extra ones are dropped.
  public var maxLabelsPerSeries: Int? {
    value("maxLabelsPerTimeseries").flatMap { Int($0) }
  }

  /// Reads a `-retentionPeriod` value: a bare number counts months (`1`, `1.5`); otherwise
  /// numbers with units `ms`, `s`, `m`, `h`, `d`, `w`, `y`, possibly several (`1y6w`).
  public static func retentionSeconds(_ text: String) -> Double? {
    if let months = Double(text), months.isFinite, months >= 0 { return months * secondsPerMonth }
    return sumOfUnits(text, units: retentionUnits)
  }

  /// Reads a Go duration such as `0s`, `1m30s`, `500ms`, `2h`.
  public static func goDurationSeconds(_ text: String) -> Double? {
    if text == "0" { return 0 }
    let units: [String: Double] = [
      "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 0.001, "s": 1, "m": 60, "h": 3600,
    ]
    return sumOfUnits(text, units: units)
  }

  /// Reads a size such as `104857600`, `100MB` (decimal) or `64KiB` (binary).
  public static func bytes(_ text: String) -> Int? {
    let units: [(String, Double)] = [
      ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
      ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12),
    ]
    var number = Substring(text)
    var scale = 1.0
    if let (suffix, factor) = units.first(where: { text.hasSuffix($0.0) }) {
      number = number.dropLast(suffix.count)
      scale = factor
    }
    guard let value = Double(number), value.isFinite, value >= 0, value * scale < 9e18 else {
      return nil
    }
    return Int(value * scale)
  }

  /// Adds up `<number><unit>` pairs; `nil` when anything else is in the text.
  static func sumOfUnits(_ text: String, units: [String: Double]) -> Double? {
    var rest = Substring(text)
    var total = 0.0
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
      let number = rest.prefix { $0.isNumber || $0 == "." }
      rest = rest.dropFirst(number.count)
      let unit = rest.prefix { !$0.isNumber && $0 != "." }
      rest = rest.dropFirst(unit.count)
      guard let value = Double(number), let scale = units[String(unit)] else { return nil }
      total += value * scale
    }
    return total
  }

  /// Undoes the Go quoting of a /flags value: `"100y"` → `100y`, `"a\"b"` → `a"b`.
  static func unquote(_ text: Substring) -> String {
    guard text.count >= 2, text.first == "\"", text.last == "\"" else { return String(text) }
    var result = ""
    var escaped = false
    for character in text.dropFirst().dropLast() {
      if escaped {
        switch character {
        case "n": result.append("\n")
        case "t": result.append("\t")
        default: result.append(character)
        }
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else {
        result.append(character)
      }
    }
    return result
  }
}
