// The contract every subcommand fulfils, and the context it runs in.

/// What a subcommand gets besides its arguments.
public struct CommandContext {
  public let console: Console
  public let environment: [String: String]

  public init(console: Console, environment: [String: String]) {
    self.console = console
    self.environment = environment
  }
}

/// A subcommand of arraytool: a spec for parsing and help, and a run function.
public protocol Command {
  static var spec: CommandSpec { get }
  /// Runs with validated arguments and returns the exit status; throws for errors that end it.
  static func run(_ arguments: ParsedArguments, context: CommandContext) throws -> ExitStatus
}
