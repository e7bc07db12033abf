// `arraytool completion bash|zsh|fish`: prints a shell completion script.

/// Prints a completion script for a shell.
public enum CompletionCommand: Command {
  public static let spec = CommandSpec(
    name: "completion",
    summary: "Print a shell completion script for bash, zsh or fish.",
    discussion: "Load it in the current shell, or save it where your shell looks for completions.",
    positionals: [
      PositionalSpec("SHELL", help: "bash, zsh or fish.", choices: CompletionScript.shells)
    ],
    examples: [
      "source <(arraytool completion bash)",
      "arraytool completion fish > ~/.config/fish/completions/arraytool.fish",
    ]
  )

  public static func run(_ arguments: ParsedArguments, context: CommandContext) throws
    -> ExitStatus
  {
    let specs = ArrayTool.commands.map { $0.spec }
    try context.console.out.write(
      CompletionScript.script(for: arguments.positionals[0], commands: specs))
    return .success
  }
}
