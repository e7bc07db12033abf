// Reads one line of the Prometheus text exposition format, the format of vmagent's /metrics:
// `name{label="value",...} value [timestamp]`. Comments and lines that do not parse give `nil`;
// the probe looks at a handful of metrics and should not fail on one odd line among thousands.

/// One sample line of a /metrics page.
struct PrometheusSample: Equatable {
  var name: String
  var labels: [String: String]
  var value: Double

  /// Parses `line`; `nil` for comments, blank lines and anything malformed.
  init?(line: String) {
    var scanner = Substring(line).drop { $0 == " " || $0 == "\t" }
    guard let first = scanner.first, first != "#" else { return nil }

    let nameEnd = scanner.firstIndex { !Self.isNameCharacter($0) } ?? scanner.endIndex
    guard nameEnd > scanner.startIndex, !first.isNumber else { return nil }
    name = String(scanner[..<nameEnd])
    scanner = scanner[nameEnd...]

    labels = [:]
    if scanner.first == "{" {
      scanner = scanner.dropFirst()
      guard let rest = Self.parseLabels(&scanner, into: &labels) else { return nil }
      scanner = rest
    }

    let words = scanner.split(whereSeparator: { $0 == " " || $0 == "\t" })
    guard let word = words.first, words.count <= 2, let number = Self.number(word) else {
      return nil
    }
    value = number
  }

  /// Reads `label="value"` pairs up to the closing brace; returns what follows it.
  private static func parseLabels(
    _ text: inout Substring, into labels: inout [String: String]
  ) -> Substring? {
    while true {
      text = text.drop { $0 == " " || $0 == "," }
      guard let first = text.first else { return nil }
      if first == "}" { return text.dropFirst() }
      guard let equals = text.firstIndex(of: "=") else { return nil }
      let key = String(text[..<equals]).filter { $0 != " " }
      text = text[text.index(after: equals)...].drop { $0 == " " }
      guard text.first == "\"" else { return nil }
      text = text.dropFirst()
      var value = ""
      var escaped = false
      var closed = false
      while let character = text.first {
        text = text.dropFirst()
        if escaped {
          value.append(character == "n" ? "\n" : character)
          escaped = false
        } else if character == "\\" {
          escaped = true
        } else if character == "\"" {
          closed = true
          break
        } else {
          value.append(character)
        }
      }
      guard closed, !key.isEmpty else { return nil }
      labels[key] = value
    }
  }

  private static func number(_ word: Substring) -> Double? {
    switch word {
    case "+Inf", "Inf": return .infinity
    case "-Inf": return -.infinity
    case "NaN": return .nan
    default: return Double(word)
    }
  }

  private static func isNameCharacter(_ character: Character) -> Bool {
    character.isASCII
      && (character.isLetter || character.isNumber || character == "_"
        || character == ":")
  }
}
