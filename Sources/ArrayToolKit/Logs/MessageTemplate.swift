// The template of a message: the message with everything that changes from one occurrence to the
// next masked, so that `Worker 12 failed after 3.2s on /data/a.tgz` and `Worker 7 failed after
// 0.4s on /data/b.tgz` group together as `Worker <n> failed after <n>s on <path>`. Errors that no
// class recognises are grouped this way, and so are warnings.

/// Masks the variable parts of messages.
enum MessageTemplate {
  /// The longest template kept; longer ones are cut with `…`.
  static let limit = 160

  /// The template of `text`: URLs, paths, file names, IP addresses, hex and numbers masked.
  static func make(_ text: Substring) -> String {
    var result = ""
    var first = true
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
      if !first { result += " " }
      first = false
      result += mask(word)
      if result.count > limit { return String(result.prefix(limit)) + "…" }
    }
    return result
  }

  private static func mask(_ word: Substring) -> String {
    // Punctuation around a word (quotes, brackets, a trailing colon) is kept as it is.
    let edge: Set<Character> = ["'", "\"", "(", ")", "[", "]", "{", "}", ",", ";", ":", "<", ">"]
    var core = word
    var head = ""
    var tail = ""
    while let character = core.first, edge.contains(character) {
      head.append(character)
      core = core.dropFirst()
    }
    while let character = core.last, edge.contains(character) {
      tail.insert(character, at: tail.startIndex)
      core = core.dropLast()
    }
    if core.isEmpty { return String(word) }
    if core.contains("://") { return head + "<url>" + tail }
    if core.hasPrefix("/") || core.hasPrefix("~/") || core.hasPrefix("./")
      || core.filter({ $0 == "/" }).count >= 2
    {
      return head + "<path>" + tail
    }
    if isAddress(core) { return head + "<ip>" + tail }
    if let dot = core.lastIndex(of: "."), core.index(after: dot) < core.endIndex,
      ["tgz", "gz", "zip", "tar", "dat", "log", "json", "csv"].contains(
        core[core.index(after: dot)...].lowercased())
    {
      return head + "<file>" + tail
    }
    return head + maskNumbers(core) + tail
  }

  /// `10.0.0.5`, `10.0.0.5:8429`.
  private static func isAddress(_ word: Substring) -> Bool {
    let host = word.split(separator: ":", maxSplits: 1).first ?? word
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) }
  }

  /// Replaces hex runs (`0x7fd5…`, long runs of hex digits mixing letters and digits) with
  /// `<hex>` and decimal numbers (with a fraction) with `<n>`.
  private static func maskNumbers(_ word: Substring) -> String {
    var result = ""
    var index = word.startIndex
    while index < word.endIndex {
      let character = word[index]
      guard character.isHexDigit, character.isASCII else {
        result.append(character)
        index = word.index(after: index)
        continue
      }
      // The run of alphanumerics starting here decides: hex, number, or a plain word.
      var end = index
      while end < word.endIndex, word[end].isASCII, word[end].isLetter || word[end].isNumber {
        end = word.index(after: end)
      }
      let run = word[index..<end]
      let isHex =
        (run.hasPrefix("0x") && run.count > 2)
        || (run.count >= 8 && run.allSatisfy(\.isHexDigit) && run.contains(where: \.isNumber)
          && run.contains(where: \.isLetter))
      if isHex {
        result += "<hex>"
        index = end
      } else if character.isNumber && run.allSatisfy(\.isNumber) {
        result += "<n>"
        index = end
        // A fraction belongs to the number: `3.2` is one `<n>`.
        if index < word.endIndex, word[index] == ".", word.index(after: index) < word.endIndex,
          word[word.index(after: index)].isNumber
        {
          index = word.index(after: index)
          while index < word.endIndex, word[index].isNumber { index = word.index(after: index) }
        }
      } else if character.isNumber {
        // Digits glued to letters (`3s`, `2xx`): the number is masked, the unit kept.
        var digitsEnd = index
        while digitsEnd < end, word[digitsEnd].isNumber { digitsEnd = word.index(after: digitsEnd) }
        result += "<n>"
        index = digitsEnd
      } else {
        result += run
        index = end
      }
    }
    return result
  }
}
