import Testing

@testable import ArrayToolKit

@Suite struct ArgumentParserTests {
  let spec = CommandSpec(
    name: "demo", summary: "A command for tests.",
    positionals: [PositionalSpec("INPUT", help: "Inputs.", variadic: true)],
    options: [
      OptionSpec("json", help: "JSON output."),
      OptionSpec("url", .repeated(placeholder: "URL"), help: "Targets."),
      OptionSpec("output", short: "o", .value(placeholder: "FILE"), help: "Output file."),
      OptionSpec("concurrency", .value(placeholder: "N"), help: "Senders."),
      OptionSpec("timeout", .value(placeholder: "SECONDS"), help: "Timeout."),
    ])

  @Test func valuesAreReadInBothSpellings() throws {
    let parsed = try ArgumentParser.parse(
      ["--url", "http://a", "--url=http://b", "-o", "x.txt", "in.zip", "--json"], spec: spec)
    #expect(parsed.strings("url") == ["http://a", "http://b"])
    #expect(parsed.string("output") == "x.txt")
    #expect(parsed.flag("json"))
    #expect(parsed.positionals == ["in.zip"])
  }

  @Test func shortOptionTakesAnAttachedValue() throws {
    let parsed = try ArgumentParser.parse(["-oout.jsonl", "a"], spec: spec)
    #expect(parsed.string("output") == "out.jsonl")
  }

  @Test func doubleDashEndsOptions() throws {
    let parsed = try ArgumentParser.parse(["--", "--json", "-"], spec: spec)
    #expect(parsed.positionals == ["--json", "-"])
    #expect(!parsed.flag("json"))
  }

  @Test func unknownOptionIsAUsageErrorWithASuggestion() {
    #expect(throws: UsageError("unknown option --jsn (did you mean --json?)", command: "demo")) {
      try ArgumentParser.parse(["--jsn", "a"], spec: spec)
    }
  }

  @Test func missingValueIsAUsageError() {
    #expect(throws: UsageError("option --url needs a value", command: "demo")) {
      try ArgumentParser.parse(["a", "--url"], spec: spec)
    }
  }

  @Test func flagRejectsAnInlineValue() {
    #expect(throws: UsageError("option --json takes no value", command: "demo")) {
      try ArgumentParser.parse(["--json=yes", "a"], spec: spec)
    }
  }

  @Test func missingPositionalIsAUsageError() {
    #expect(throws: UsageError("missing argument INPUT", command: "demo")) {
      try ArgumentParser.parse(["--json"], spec: spec)
    }
  }

  @Test func helpNeedsNoPositionals() throws {
    let parsed = try ArgumentParser.parse(["--help"], spec: spec)
    #expect(parsed.flag("help"))
  }

  @Test func integerOutOfRangeNamesTheFlag() throws {
    let parsed = try ArgumentParser.parse(["--concurrency", "0", "a"], spec: spec)
    #expect(
      throws: UsageError(
        "invalid --concurrency '0': expected a whole number from 1 to 64", command: "demo")
    ) {
      try parsed.integer("concurrency", in: 1...64)
    }
  }

  @Test func durationsAcceptUnits() throws {
    #expect(ParsedArguments.parseDuration("1.5") == 1.5)
    #expect(ParsedArguments.parseDuration("90s") == 90)
    #expect(ParsedArguments.parseDuration("2m") == 120)
    #expect(ParsedArguments.parseDuration("1h") == 3600)
    #expect(ParsedArguments.parseDuration("-1") == nil)
    #expect(ParsedArguments.parseDuration("soon") == nil)
  }

  @Test func choicePositionalRejectsOtherValues() {
    let completion = CompletionCommand.spec
    #expect(
      throws: UsageError(
        "invalid SHELL 'csh': expected one of bash, zsh, fish", command: "completion")
    ) {
      try ArgumentParser.parse(["csh"], spec: completion)
    }
  }
}
