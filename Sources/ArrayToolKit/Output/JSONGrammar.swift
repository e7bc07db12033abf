// The few pieces of JSON's grammar that arraytool's byte-level readers walk a line with: spaces,
// the end of a string, the end of any value. Readers of JSON log lines and of VictoriaMetrics'
// export lines use them to find the fields they want without building a document.

/// Steps through JSON text held as bytes. Every function takes the index where something starts
/// and returns the index just past it.
enum JSONGrammar {
  /// Past the spaces and tabs at `start`.
  @inline(__always)
  static func skipSpace(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
    var index = start
    while index < text.count, text[index] == 0x20 || text[index] == 0x09 { index += 1 }
    return index
  }

  /// Past the closing quote of the string whose opening quote is at `start`; nil when the text
  /// ends first.
  static func stringEnd(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
    var index = start + 1
    while index < text.count {
      switch text[index] {
      case 0x22: return index + 1
      case 0x5C: index += 2
      default: index += 1
      }
    }
    return nil
  }

  /// Past the value at `start`: a string, a number, a literal, or an object or array skipped
  /// whole with everything nested in it; nil when the text ends first or holds nothing there.
  static func valueEnd(_ text: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
    guard start < text.count else { return nil }
    switch text[start] {
    case 0x22:
      return stringEnd(text, start)
    case 0x7B, 0x5B:
      var depth = 0
      var index = start
      while index < text.count {
        switch text[index] {
        case 0x22:
          guard let end = stringEnd(text, index) else { return nil }
          index = end
          continue
        case 0x7B, 0x5B: depth += 1
        case 0x7D, 0x5D:
          depth -= 1
          if depth == 0 { return index + 1 }
        default: break
        }
        index += 1
      }
      return nil
    default:
      var index = start
      while index < text.count {
        let byte = text[index]
        if byte == 0x2C || byte == 0x7D || byte == 0x5D || byte == 0x20 || byte == 0x09 { break }
        index += 1
      }
      return index > start ? index : nil
    }
  }
}
