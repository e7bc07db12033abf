// The entry point behind the `arraytool` executable: picks the subcommand, parses its arguments
// and turns whatever it ends with into an exit status.

#if canImport(Glibc)
  import Glibc
#endif

/// The tool as a whole.
public enum ArrayTool {
  public static let version = "0.1.0"

  /// Every subcommand, in the order `--help` lists them.
  public static let commands: [any Command.Type] = [
    ImportCommand.self,
    VerifyCommand.self,
    InspectCommand.self,
    ExportCommand.self,
    AnalyzeLogsCommand.self,
    ProbeCommand.self,
    GenerateCommand.self,
    CompletionCommand.self,
  ]

  /// Runs the tool with `arguments` (without the program name) and returns the exit status.
  public static func main(
    _ arguments: [String], context: CommandContext = CommandContext(
      console: Console(), environment: Console.environment())
  ) -> ExitStatus {
    signal(SIGPIPE, SIG_IGN)
    let console = context.console
    let specs = commands.map { $0.spec }
    let status: ExitStatus
    do {
      status = try dispatch(arguments, specs: specs, context: context)
    } catch {
      status = ExitStatus.report(error, console: console)
    }
    do {
      try console.out.flush()
    } catch {
      if !(error is ClosedPipe) { return ExitStatus.report(error, console: console) }
    }
    return status
  }

  private static func dispatch(
    _ arguments: [String], specs: [CommandSpec], context: CommandContext
  ) throws -> ExitStatus {
    guard let first = arguments.first else {
      try context.console.out.write(HelpText.overview(commands: specs, version: version))
      return .usage
    }
    switch first {
    case "-h", "--help", "help":
      if first == "help", arguments.count > 1,
        let command = commands.first(where: { $0.spec.name == arguments[1] })
      {
        try context.console.out.write(HelpText.command(command.spec))
      } else {
        try context.console.out.write(HelpText.overview(commands: specs, version: version))
      }
      return .success
    case "--version", "-V":
      try context.console.print("arraytool \(version)")
      return .success
    default:
      break
    }
    guard let command = commands.first(where: { $0.spec.name == first }) else {
      let close = specs.map(\.name).filter { ArgumentParser.editDistance($0, first) <= 2 }
      let hint = close.count == 1 ? " (did you mean '\(close[0])'?)" : ""
      throw UsageError("unknown command '\(first)'\(hint)")
    }
    let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), spec: command.spec)
    if parsed.flag("help") {
      try context.console.out.write(HelpText.command(command.spec))
      return .success
    }
    return try command.run(parsed, context: context)
  }
}
