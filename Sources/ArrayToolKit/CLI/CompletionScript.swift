// Shell completion scripts for bash, zsh and fish, generated from the command specs so that they
// never drift from what the parser accepts.

/// Builds completion scripts.
public enum CompletionScript {
  public static let shells = ["bash", "zsh", "fish"]

  /// The script for `shell`, which must be one of `shells`.
  public static func script(for shell: String, commands: [CommandSpec]) -> String {
    switch shell {
    case "bash": return bash(commands)
    case "zsh": return zsh(commands)
    default: return fish(commands)
    }
  }

  private static func words(_ spec: CommandSpec) -> [String] {
    var words: [String] = []
    for option in spec.options {
      words.append("--\(option.name)")
      if let short = option.short { words.append("-\(short)") }
    }
    for positional in spec.positionals { words += positional.choices }
    return words
  }

  private static func bash(_ commands: [CommandSpec]) -> String {
    var script = """
      # bash completion for arraytool; load with: source <(arraytool completion bash)
      _arraytool() {
        local cur=${COMP_WORDS[COMP_CWORD]}
        if [[ $COMP_CWORD -eq 1 ]]; then
          COMPREPLY=($(compgen -W "\(commands.map(\.name).joined(separator: " ")) --help --version" -- "$cur"))
          return
        fi
        local words
        case ${COMP_WORDS[1]} in

      """
    for spec in commands {
      // A command whose arguments are all names from a list (probe's targets) takes no file.
      let takesFiles = spec.positionals.contains { $0.choices.isEmpty }
      script += "    \(spec.name)) words=\"\(words(spec).joined(separator: " "))\""
        + (takesFiles ? " files=1" : " files=") + " ;;\n"
    }
    script += """
          *) words="" files=1 ;;
        esac
        if [[ $cur == -* || -z $files ]]; then
          COMPREPLY=($(compgen -W "$words" -- "$cur"))
        else
          COMPREPLY=($(compgen -W "$words" -- "$cur") $(compgen -f -- "$cur"))
        fi
      }
      complete -o filenames -F _arraytool arraytool

      """
    return script
  }

  private static func zsh(_ commands: [CommandSpec]) -> String {
    var script = """
      #compdef arraytool
      # zsh completion for arraytool; load with: source <(arraytool completion zsh)
      _arraytool() {
        local -a commands
        commands=(

      """
    for spec in commands {
      script += "    '\(spec.name):\(escapeZsh(spec.summary))'\n"
    }
    script += """
        )
        if (( CURRENT == 2 )); then
          _describe 'command' commands
          return
        fi
        case ${words[2]} in

      """
    for spec in commands {
      let options = spec.options.map { option -> String in
        let value = option.takesValue ? ":\(option.name):_files" : ""
        return "'--\(option.name)[\(escapeZsh(option.help))]\(value)'"
      }
      script += "    \(spec.name)) _arguments \(options.joined(separator: " ")) '*:file:_files' ;;\n"
    }
    script += """
        esac
      }
      compdef _arraytool arraytool

      """
    return script
  }

  private static func fish(_ commands: [CommandSpec]) -> String {
    var script = "# fish completion for arraytool; load with: arraytool completion fish | source\n"
    script += "complete -c arraytool -f\n"
    for spec in commands {
      script += "complete -c arraytool -n __fish_use_subcommand -a \(spec.name)"
        + " -d '\(escapeFish(spec.summary))'\n"
      for option in spec.options {
        var line = "complete -c arraytool -n '__fish_seen_subcommand_from \(spec.name)'"
          + " -l \(option.name)"
        if let short = option.short { line += " -s \(short)" }
        if option.takesValue { line += " -r" }
        if !option.choices.isEmpty { line += " -a '\(option.choices.joined(separator: " "))'" }
        line += " -d '\(escapeFish(option.help))'"
        script += line + "\n"
      }
      let choices = spec.positionals.flatMap(\.choices)
      if choices.isEmpty {
        script += "complete -c arraytool -n '__fish_seen_subcommand_from \(spec.name)' -F\n"
      } else {
        script += "complete -c arraytool -n '__fish_seen_subcommand_from \(spec.name)'"
          + " -a '\(choices.joined(separator: " "))'\n"
      }
    }
    return script
  }

  private static func escapeZsh(_ text: String) -> String {
    text.replacingOccurrences(of: "'", with: "'\\''").replacingOccurrences(of: "[", with: "\\[")
      .replacingOccurrences(of: "]", with: "\\]").replacingOccurrences(of: ":", with: "\\:")
  }

  private static func escapeFish(_ text: String) -> String {
    text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
  }
}

import Foundation
