// A JSON value that keeps the order of object keys as written, for machine output that people
// also read: `class` before `first` before `count`, as the manual documents them.

/// An ordered JSON document.
public indirect enum JSONValue: Sendable {
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  /// An optional string, or `null`.
  static func string(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

  /// The document as text: two-space indentation, one key per line.
  public func rendered(indent: String = "") -> String {
    var output = ""
    write(to: &output, indent: indent)
    return output
  }

  /// Appends the document to `output`, each nested level two spaces further than `indent`.
  public func write(to output: inout String, indent: String) {
    switch self {
    case .null: output += "null"
    case .bool(let value): output += value ? "true" : "false"
    case .int(let value): output += String(value)
    case .double(let value):
      guard value.isFinite else {
        output += "null"
        return
      }
      // Three decimals are enough for seconds with milliseconds, and read better than 8.363000001.
      let rounded = (value * 1000).rounded() / 1000
      output += rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    case .string(let value): JSONValue.appendQuoted(value, to: &output)
    case .array(let values):
      if values.isEmpty {
        output += "[]"
      } else if values.allSatisfy(\.isScalar) {
        output += "["
        for (index, value) in values.enumerated() {
          if index > 0 { output += ", " }
          value.write(to: &output, indent: indent)
        }
        output += "]"
      } else {
        let inner = indent + "  "
        output += "[\n"
        for (index, value) in values.enumerated() {
          output += index > 0 ? ",\n" + inner : inner
          value.write(to: &output, indent: inner)
        }
        output += "\n" + indent + "]"
      }
    case .object(let members):
      if members.isEmpty {
        output += "{}"
        return
      }
      let inner = indent + "  "
      output += "{\n"
      for (index, member) in members.enumerated() {
        output += index > 0 ? ",\n" + inner : inner
        JSONValue.appendQuoted(member.0, to: &output)
        output += ": "
        member.1.write(to: &output, indent: inner)
      }
      output += "\n" + indent + "}"
    }
  }

  private var isScalar: Bool {
    switch self {
    case .array, .object: return false
    default: return true
    }
  }

  /// `text` as a JSON string literal.
  static func quote(_ text: String) -> String {
    var output = ""
    appendQuoted(text, to: &output)
    return output
  }

  /// Appends `text` as a JSON string literal, escaping only what JSON requires.
  static func appendQuoted(_ text: String, to output: inout String) {
    output += "\""
    var plainStart = text.utf8.startIndex
    var index = plainStart
    let utf8 = text.utf8
    while index < utf8.endIndex {
      let byte = utf8[index]
      guard byte < 0x20 || byte == 0x22 || byte == 0x5C else {
        index = utf8.index(after: index)
        continue
      }
      output += text[plainStart..<index]
      switch byte {
      case 0x22: output += "\\\""
      case 0x5C: output += "\\\\"
      case 0x0A: output += "\\n"
      case 0x0D: output += "\\r"
      case 0x09: output += "\\t"
      default:
        let hex = String(byte, radix: 16)
        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      }
      index = utf8.index(after: index)
      plainStart = index
    }
    output += text[plainStart..<utf8.endIndex]
    output += "\""
  }
}
