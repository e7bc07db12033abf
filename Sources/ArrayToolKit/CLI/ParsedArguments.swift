// The validated result of parsing one subcommand's arguments, with typed accessors that turn a
// malformed value into a usage error naming the flag.

/// The arguments of one invocation after parsing, keyed by long option name.
public struct ParsedArguments: Sendable {
  public let command: String
  /// Option values in the order given; a flag is recorded with an empty value.
  var values: [String: [String]]
  /// Positional arguments in the order given.
  public let positionals: [String]

  init(command: String, values: [String: [String]], positionals: [String]) {
    self.command = command
    self.values = values
    self.positionals = positionals
  }

  /// Whether `--name` was given.
  public func flag(_ name: String) -> Bool {
    values[name] != nil
  }

  /// The last value of `--name`, or `nil` when it was not given.
  public func string(_ name: String) -> String? {
    values[name]?.last
  }

  /// The file `--name` says to write to, or `nil` when it was not given or is `-`: a lone dash
  /// means standard output, as it does to other Unix tools. A file of that name is `./-`.
  public func outputFile(_ name: String) -> String? {
    string(name).flatMap { $0 == "-" ? nil : $0 }
  }

  /// Every value of a repeated option, in order.
  public func strings(_ name: String) -> [String] {
    values[name] ?? []
  }

  /// The value of `--name` as a whole number within `range`.
  public func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
    guard let text = string(name) else { return nil }
    guard let value = Self.parseDecimal(text).flatMap({ _ in Int(text) }), range.contains(value)
    else {
      throw UsageError(
        "invalid --\(name) '\(text)': expected a whole number from "
          + "\(range.lowerBound) to \(range.upperBound)", command: command)
    }
    return value
  }

  /// The value of `--name` as a non-negative number of seconds (`1.5`, `30s`, `2m`, `1h`).
  public func seconds(_ name: String) throws -> Double? {
    guard let text = string(name) else { return nil }
    guard let value = Self.parseDuration(text) else {
      throw UsageError(
        "invalid --\(name) '\(text)': expected seconds such as 30, 1.5, 90s, 2m or 1h "
          + "(at most ten years)",
        command: command)
    }
    return value
  }

  /// The value of `--name` as a non-negative decimal number (`2`, `0.5`), or `nil` when it was not
  /// given; `what` describes the expected value in the error.
  public func number(_ name: String, expecting what: String) throws -> Double? {
    guard let text = string(name) else { return nil }
    guard let value = Self.parseDecimal(text) else {
      throw UsageError("invalid --\(name) '\(text)': expected \(what)", command: command)
    }
    return value
  }

  /// The value of `--name`, which must be one of `choices`.
  public func choice(_ name: String, among choices: [String]) throws -> String? {
    guard let text = string(name) else { return nil }
    guard choices.contains(text) else {
      throw UsageError(
        "invalid --\(name) '\(text)': expected one of \(choices.joined(separator: ", "))",
        command: command)
    }
    return text
  }

  /// The longest duration any flag takes: ten years, far beyond any sensible wait.
  public static let maxSeconds = 315_360_000.0

  /// Parses `30`, `1.5`, `90s`, `2m`, `1h` into seconds; `nil` for anything else, a negative,
  /// or more than `maxSeconds`.
  public static func parseDuration(_ text: String) -> Double? {
    var number = Substring(text)
    var scale = 1.0
    if let last = number.last, let unit = ["s": 1.0, "m": 60.0, "h": 3600.0][String(last)] {
      number = number.dropLast()
      scale = unit
    }
    guard let value = parseDecimal(number), value * scale <= maxSeconds else { return nil }
    return value * scale
  }

  /// Parses plain decimal digits with at most one point (`16`, `1.5`, `.5`); `nil` for anything
  /// else. Swift's own `Double(_:)` also reads `0x10` as 16, `1e3`, `nan` and `inf`, which no one
  /// means on a command line; every number a flag takes goes through here.
  public static func parseDecimal<S: StringProtocol>(_ text: S) -> Double? {
    var digits = 0
    var points = 0
    for character in text.utf8 {
      switch character {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
      case UInt8(ascii: "."): points += 1
      default: return nil
      }
    }
    guard digits > 0, points <= 1, let value = Double(String(text)), value.isFinite else {
      return nil
    }
    return value
  }
}
