import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct TopLevelCommandTests {
  @Test func versionPrintsTheVersion() throws {
    let result = try BinaryRunner.run(["--version"])
    #expect(result.status == 0)
    #expect(result.stdout == "arraytool 0.1.0\n")
  }

  @Test func unknownCommandIsExitTwoWithAHint() throws {
    let result = try BinaryRunner.run(["completon"])
    #expect(result.status == 2)
    #expect(
      result.stderr
        == "arraytool: error: unknown command 'completon' (did you mean 'completion'?)\n"
        + "arraytool: hint: see 'arraytool --help'\n")
  }

  @Test func everyCommandHasHelpWithAnExample() throws {
    let names = ArrayTool.commands.map { $0.spec.name }
    #expect(names == ["import", "verify", "inspect", "export", "analyze-logs", "probe", "generate", "completion"])
    for name in names {
      let result = try BinaryRunner.run([name, "--help"])
      #expect(result.status == 0)
      #expect(result.stdout.hasPrefix("arraytool \(name): "))
      #expect(result.stdout.contains("\nEXAMPLES:\n  "))
    }
  }

  @Test func topLevelHelpNamesEveryExitStatus() throws {
    let result = try BinaryRunner.run(["--help"])
    #expect(result.status == 0)
    #expect(result.stdout.contains(
      "EXIT STATUS: 0 success, 1 problems found or not everything delivered, 2 usage, unreadable\n"
        + "input or a folder without export files, 130 interrupted (SIGINT or SIGTERM). See\n"
        + "'man arraytool'"))
  }

  @Test func bashCompletionNamesTheCommands() throws {
    let result = try BinaryRunner.run(["completion", "bash"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("complete -o filenames -F _arraytool arraytool"))
    #expect(result.stdout.contains("completion) words=\"--help -h bash zsh fish\" files= ;;"))
    #expect(
      result.stdout.contains(
        "\n    export) words=\"--format -f --output -o --jobs -j --help -h\" files=1 ;;"))
  }

  @Test func aLogWithNoRecognisedLineIsNotCalledClean() throws {
    let scratch = try ScratchDirectory()
    let log = try scratch.write("binary.log", [0x00, 0x01, 0x02, 0xFF, 0x0A])
    // Text with an error level but no time: no report either, whose "1 lone error" would be of
    // lines that may be no log records at all.
    let text = try scratch.write("notes.txt", Array("hello\nERROR: bad thing\n".utf8))
    for input in [log, text] {
      let result = try BinaryRunner.run(["analyze-logs", input])
      #expect(result.status == 2)
      #expect(result.stdout == "")
      #expect(
        result.stderr
          == "arraytool: error: no line was recognised as a timed log record (Python logging, "
          + "uvicorn, docker compose, docker logs --timestamps or JSON lines): nothing was "
          + "analysed\n")
    }
    // A log of blank lines holds nothing, as an empty one does: no error for either.
    let empty = try scratch.write("empty.log", [])
    let blank = try scratch.write("blank.log", Array("\n  \n\r\n".utf8))
    let emptyRun = try BinaryRunner.run(["analyze-logs", "--json", empty])
    let blankRun = try BinaryRunner.run(["analyze-logs", "--json", blank])
    #expect(emptyRun.status == 0 && blankRun.status == 0)
    #expect(blankRun.stderr == "" && emptyRun.stderr == "")
    #expect(blankRun.stdout.contains("\"records\": 0,"))
    // Standard input cannot be read twice to see whether it held anything: one from which no
    // record was read is empty too, and reads as the empty file does.
    let fileReport = try BinaryRunner.run(["analyze-logs", empty])
    for stdin in ["", "\n \n"] {
      let piped = try BinaryRunner.run(["analyze-logs", "-"], stdin: Data(stdin.utf8))
      #expect(piped.status == 0)
      #expect(piped.stderr == "")
      #expect(piped.stdout == fileReport.stdout.replacingOccurrences(
        of: "Log analysis of \(empty)", with: "Log analysis of (standard input)"))
    }
    #expect(fileReport.stdout.hasPrefix("Log analysis of \(empty)\n"))
    // Text that is no log, on standard input as in a file, is still refused.
    let notes = try BinaryRunner.run(["analyze-logs", "-"], stdin: Data("hello\n".utf8))
    #expect(notes.status == 2)
    #expect(notes.stderr.hasPrefix("arraytool: error: no line was recognised"))
  }
}
