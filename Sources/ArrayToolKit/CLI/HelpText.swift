// Renders `--help` for the tool and for each subcommand from their specs.

/// Plain-text help derived from `CommandSpec`s.
public enum HelpText {
  /// `arraytool --help`.
  public static func overview(commands: [CommandSpec], version: String) -> String {
    var text = "arraytool \(version): Huawei OceanStor performance exports into VictoriaMetrics\n\n"
    text += "USAGE: arraytool <command> [options]\n\nCOMMANDS:\n"
    let width = (commands.map(\.name.count).max() ?? 0) + 2
    for command in commands {
      text += "  " + command.name.padding(width) + command.summary + "\n"
    }
    text += """

      OPTIONS:
        -h, --help    Show this help, or a command's help with 'arraytool <command> --help'.
        --version     Show the version.

      EXIT STATUS: 0 success, 1 problems found or not everything delivered, 2 usage, unreadable
      input or a folder without export files, 130 interrupted (SIGINT or SIGTERM). See
      'man arraytool' (or 'man -l man/arraytool.1') for the full manual.

      """
    return text
  }

  /// `arraytool <command> --help`.
  public static func command(_ spec: CommandSpec) -> String {
    var text = "arraytool \(spec.name): \(spec.summary)\n\n"
    text += "USAGE: " + usageLine(spec) + "\n"
    if !spec.discussion.isEmpty {
      text += "\n" + spec.discussion + "\n"
    }
    if !spec.positionals.isEmpty {
      text += "\nARGUMENTS:\n"
      let width = (spec.positionals.map(\.name.count).max() ?? 0) + 2
      for positional in spec.positionals {
        text += "  " + positional.name.padding(width) + positional.help + "\n"
      }
    }
    text += "\nOPTIONS:\n"
    let width = min((spec.options.map(\.synopsis.count).max() ?? 0) + 2, 30)
    for option in spec.options {
      let synopsis = option.synopsis
      if synopsis.count + 2 > width {
        text += "  \(synopsis)\n" + String(repeating: " ", count: width + 2) + option.help + "\n"
      } else {
        text += "  " + synopsis.padding(width) + option.help + "\n"
      }
    }
    if !spec.examples.isEmpty {
      text += "\nEXAMPLES:\n"
      for example in spec.examples { text += "  \(example)\n" }
    }
    return text
  }

  /// `arraytool import [options] INPUT...`.
  public static func usageLine(_ spec: CommandSpec) -> String {
    var words = ["arraytool", spec.name, "[options]"]
    for positional in spec.positionals {
      var word = positional.name + (positional.variadic ? "..." : "")
      if !positional.required { word = "[\(word)]" }
      words.append(word)
    }
    return words.joined(separator: " ")
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self + " " : self + String(repeating: " ", count: width - count)
  }
}
