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
    let equals = try ArgumentParser.parse(["-o=out.jsonl", "a"], spec: spec)
    #expect(equals.string("output") == "out.jsonl")
  }

  @Test func shortFlagsGroupAndTheLastMayTakeAValue() throws {
    let grouped = CommandSpec(
      name: "demo", summary: "A command for tests.",
      positionals: [PositionalSpec("INPUT", help: "Inputs.", variadic: true)],
      options: [
        OptionSpec("quiet", short: "q", help: "Quiet."),
        OptionSpec("json", short: "j", help: "JSON output."),
        OptionSpec("output", short: "o", .value(placeholder: "FILE"), help: "Output file."),
      ])
    let flags = try ArgumentParser.parse(["-qj", "a"], spec: grouped)
    #expect(flags.flag("quiet") && flags.flag("json"))
    #expect(flags.positionals == ["a"])
    let valued = try ArgumentParser.parse(["-qoout.jsonl", "a"], spec: grouped)
    #expect(valued.flag("quiet") && !valued.flag("json"))
    #expect(valued.string("output") == "out.jsonl")
    let next = try ArgumentParser.parse(["-jo", "x.txt", "a"], spec: grouped)
    #expect(next.flag("json") && next.string("output") == "x.txt")
    #expect(next.positionals == ["a"])
    #expect(throws: UsageError("unknown option -x", command: "demo")) {
      try ArgumentParser.parse(["-qx", "a"], spec: grouped)
    }
    #expect(throws: UsageError("option -q takes no value", command: "demo")) {
      try ArgumentParser.parse(["-q=", "a"], spec: grouped)
    }
    let empty = try ArgumentParser.parse(["-o=", "a", "b"], spec: grouped)
    #expect(empty.string("output") == "")
    #expect(empty.positionals == ["a", "b"])
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

  @Test func numbersArePlainDecimalsOnly() throws {
    #expect(ParsedArguments.parseDecimal("16") == 16)
    #expect(ParsedArguments.parseDecimal("0.25") == 0.25)
    #expect(ParsedArguments.parseDecimal(".5") == 0.5)
    for text in ["0x10", "0X10", "1e3", "nan", "NaN", "inf", "infinity", "", ".", "1.2.3", "-1",
                 "+1", " 1", "1_000"] {
      #expect(ParsedArguments.parseDecimal(text) == nil, "\(text)")
    }
    #expect(ParsedArguments.parseDuration("0x10") == nil)
    #expect(ParsedArguments.parseDuration("0x10s") == nil)
    #expect(ParsedArguments.parseDuration("NaN") == nil)
    #expect(ParsedArguments.parseDuration("") == nil)
  }

  @Test func hexadecimalValuesAreUsageErrorsNamingTheFlag() throws {
    let parsed = try ArgumentParser.parse(
      ["--timeout", "0x10", "--concurrency", "0x10", "a"], spec: spec)
    #expect(
      throws: UsageError(
        "invalid --timeout '0x10': expected seconds such as 30, 1.5, 90s, 2m or 1h "
          + "(at most ten years)", command: "demo")
    ) {
      try parsed.seconds("timeout")
    }
    #expect(
      throws: UsageError(
        "invalid --concurrency '0x10': expected a whole number from 1 to 64", command: "demo")
    ) {
      try parsed.integer("concurrency", in: 1...64)
    }
    #expect(
      throws: UsageError("invalid --timeout '0x10': expected a ratio", command: "demo")
    ) {
      try parsed.number("timeout", expecting: "a ratio")
    }
  }

  /// The import and verify commands end with exit 2 on such values, before reading anything.
  @Test func badNumbersAndPortsEndImportAndVerifyWithExitTwo() throws {
    let cases: [([String], String)] = [
      (["import", "--landed-timeout", "abc", "x.zip"], "invalid --landed-timeout 'abc'"),
      (["import", "--landed-timeout", "", "x.zip"], "invalid --landed-timeout ''"),
      (["import", "--landed-timeout", "NaN", "x.zip"], "invalid --landed-timeout 'NaN'"),
      (["import", "--landed-timeout", "-1", "x.zip"], "invalid --landed-timeout '-1'"),
      (["import", "--no-verify-landed", "--landed-timeout", "abc", "x.zip"],
       "invalid --landed-timeout 'abc'"),
      (["import", "--timeout", "0x10", "x.zip"], "invalid --timeout '0x10'"),
      (["import", "--retry-delay", "0x10", "x.zip"], "invalid --retry-delay '0x10'"),
      (["import", "--url", "http://127.0.0.1:99999", "x.zip"],
       "invalid --url 'http://127.0.0.1:99999': the port must be from 1 to 65535"),
      (["import", "--fallback-url", "http://127.0.0.1:0", "x.zip"],
       "invalid --fallback-url 'http://127.0.0.1:0': the port must be from 1 to 65535"),
      (["import", "--replay", "/nonexistent", "--url", "http://127.0.0.1:99999"],
       "invalid --url 'http://127.0.0.1:99999': the port must be from 1 to 65535"),
      (["verify", "--max-ratio", "0x10", "x.zip"],
       "invalid --max-ratio '0x10': expected a number, 0 for no limit"),
    ]
    for (arguments, message) in cases {
      let result = try BinaryRunner.run(arguments)
      #expect(result.status == 2, "\(arguments)")
      #expect(result.stderr.hasPrefix("arraytool: error: \(message)"), "\(arguments): \(result.stderr)")
    }
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
