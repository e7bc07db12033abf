// Turns raw command-line words into `ParsedArguments` for a `CommandSpec`. Raw words are checked
// here once; subcommands then read typed values and never look at the words again.

/// A mistake in how the tool was called: printed with a hint and ends the run with exit 2.
public struct UsageError: Error, Equatable, CustomStringConvertible {
  public var message: String
  /// The subcommand whose `--help` the hint points to, if one was recognised.
  public var command: String?

  public init(_ message: String, command: String? = nil) {
    self.message = message
    self.command = command
  }

  public var description: String { message }
}

/// Parses the words that follow a subcommand's name.
public enum ArgumentParser {
  /// Parses `words` against `spec`.
  ///
  /// Accepts `--name value`, `--name=value`, `-x value`, `-xvalue`, `-x=value`, grouped flags
  /// (`-qj`) and `--` to end options.
  /// A word that starts with `-` and is not an option is an error; a lone `-` is a positional
  /// (standard input).
  /// - Throws: `UsageError` for an unknown option, a missing value or missing positionals.
  public static func parse(_ words: [String], spec: CommandSpec) throws -> ParsedArguments {
    var values: [String: [String]] = [:]
    var positionals: [String] = []
    var index = 0
    var optionsEnded = false

    func fail(_ message: String) -> UsageError {
      UsageError(message, command: spec.name)
    }

    func record(_ option: OptionSpec, inlineValue: String?, spelled: String) throws {
      guard option.takesValue else {
        if inlineValue != nil { throw fail("option \(spelled) takes no value") }
        values[option.name, default: []].append("")
        return
      }
      var value = inlineValue
      if value == nil {
        index += 1
        guard index < words.count else { throw fail("option \(spelled) needs a value") }
        value = words[index]
      }
      values[option.name, default: []].append(value!)
    }

    while index < words.count {
      let word = words[index]
      if optionsEnded || word == "-" || !word.hasPrefix("-") {
        positionals.append(word)
      } else if word == "--" {
        optionsEnded = true
      } else if word.hasPrefix("--") {
        let body = word.dropFirst(2)
        let name: Substring
        var inline: String?
        if let equals = body.firstIndex(of: "=") {
          name = body[..<equals]
          inline = String(body[body.index(after: equals)...])
        } else {
          name = body
        }
        guard let option = spec.option(named: String(name)) else {
          throw fail("unknown option --\(name)" + suggestion(for: String(name), in: spec))
        }
        try record(option, inlineValue: inline, spelled: "--\(name)")
      } else {
        // Short flags may be grouped (`-qj`); a letter that takes a value takes the rest of the
        // word (`-oout.jsonl`, `-o=out.jsonl`) or the next word.
        var letters = word.dropFirst()
        while let letter = letters.first {
          letters = letters.dropFirst()
          guard let option = spec.option(short: letter) else {
            throw fail("unknown option -\(letter)")
          }
          guard option.takesValue else {
            if letters.hasPrefix("=") { throw fail("option -\(letter) takes no value") }
            try record(option, inlineValue: nil, spelled: "-\(letter)")
            continue
          }
          // `-j=` gives an empty value, as `--jobs=` does; `-j` alone takes the next word.
          let inline = letters.hasPrefix("=") ? String(letters.dropFirst())
            : letters.isEmpty ? nil : String(letters)
          try record(option, inlineValue: inline, spelled: "-\(letter)")
          break
        }
      }
      index += 1
    }

    let parsed = ParsedArguments(command: spec.name, values: values, positionals: positionals)
    if parsed.flag("help") { return parsed }
    try checkPositionals(positionals, spec: spec)
    return parsed
  }

  private static func checkPositionals(_ given: [String], spec: CommandSpec) throws {
    let required = spec.positionals.filter(\.required)
    let variadic = spec.positionals.contains(where: \.variadic)
    if given.count < required.count {
      let missing = required[given.count].name
      throw UsageError("missing argument \(missing)", command: spec.name)
    }
    if !variadic && given.count > spec.positionals.count {
      throw UsageError("unexpected argument '\(given[spec.positionals.count])'", command: spec.name)
    }
    for (position, value) in zip(spec.positionals, given) where !position.choices.isEmpty {
      guard position.choices.contains(value) else {
        throw UsageError(
          "invalid \(position.name) '\(value)': expected one of "
            + position.choices.joined(separator: ", "), command: spec.name)
      }
    }
  }

  /// ` (did you mean --json?)` when one known option is a close spelling of `name`.
  static func suggestion(for name: String, in spec: CommandSpec) -> String {
    let close = spec.options.map(\.name).filter { editDistance($0, name) <= 2 }
    guard close.count == 1 else { return "" }
    return " (did you mean --\(close[0])?)"
  }

  static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
      }
      previous = current
    }
    return previous[b.count]
  }
}
