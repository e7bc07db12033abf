// The declarative shape of a subcommand: its options, its positional arguments and its help.
// Parsing, help text and shell completions are all derived from these values.

/// One `--flag` of a subcommand.
public struct OptionSpec: Sendable {
  /// What the option expects after it.
  public enum Kind: Sendable {
    /// A switch: present or absent, never followed by a value.
    case flag
    /// Takes one value (`--url URL` or `--url=URL`); the last one given wins.
    case value(placeholder: String)
    /// Takes one value and may be given several times; every value is kept in order.
    case repeated(placeholder: String)
  }

  /// The long name without dashes, such as `json`.
  public var name: String
  /// An optional one-letter alias without the dash, such as `o`.
  public var short: Character?
  public var kind: Kind
  /// One line for `--help`.
  public var help: String
  /// Values offered by shell completion and accepted by `ParsedArguments.choice`.
  public var choices: [String]

  public init(
    _ name: String, short: Character? = nil, _ kind: Kind = .flag, help: String,
    choices: [String] = []
  ) {
    self.name = name
    self.short = short
    self.kind = kind
    self.help = help
    self.choices = choices
  }

  /// Whether the option consumes the next argument.
  public var takesValue: Bool {
    if case .flag = kind { return false }
    return true
  }

  /// `--name VALUE` or `--name`, as shown in usage lines.
  public var synopsis: String {
    let prefix = short.map { "-\($0), " } ?? ""
    switch kind {
    case .flag: return "\(prefix)--\(name)"
    case .value(let placeholder), .repeated(let placeholder):
      return "\(prefix)--\(name) \(placeholder)"
    }
  }
}

/// A positional argument of a subcommand.
public struct PositionalSpec: Sendable {
  public var name: String
  public var help: String
  /// Whether it may be given more than once (`INPUT...`).
  public var variadic: Bool
  /// Whether at least one value is required.
  public var required: Bool
  /// Values offered by shell completion; empty means file names.
  public var choices: [String]

  public init(
    _ name: String, help: String, variadic: Bool = false, required: Bool = true,
    choices: [String] = []
  ) {
    self.name = name
    self.help = help
    self.variadic = variadic
    self.required = required
    self.choices = choices
  }
}

/// Everything the parser and the help printer need to know about one subcommand.
public struct CommandSpec: Sendable {
  public var name: String
  /// One line for the command list of `arraytool --help`.
  public var summary: String
  /// Paragraphs shown under the usage line of the subcommand's `--help`.
  public var discussion: String
  public var positionals: [PositionalSpec]
  public var options: [OptionSpec]
  /// Ready-to-run command lines shown under EXAMPLES.
  public var examples: [String]

  public init(
    name: String, summary: String, discussion: String = "", positionals: [PositionalSpec] = [],
    options: [OptionSpec] = [], examples: [String] = []
  ) {
    self.name = name
    self.summary = summary
    self.discussion = discussion
    self.positionals = positionals
    self.options = options + [OptionSpec("help", short: "h", help: "Show this help and exit.")]
    self.examples = examples
  }

  func option(named name: String) -> OptionSpec? {
    options.first { $0.name == name }
  }

  func option(short: Character) -> OptionSpec? {
    options.first { $0.short == short }
  }
}
