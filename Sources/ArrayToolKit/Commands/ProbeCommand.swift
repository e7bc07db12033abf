// `arraytool probe vmagent|victoriametrics|all`: answers "can this host reach vmagent and is it
// well?" in one command, on a host or in a container entrypoint (with `--wait`). The work is in
// Probe/; this turns options and environment into a `Prober`, prints the results and picks the
// exit status.

#if canImport(Glibc)
  import Glibc
#endif

/// Checks that vmagent and VictoriaMetrics can be reached and are well.
public enum ProbeCommand: Command {
  static let defaultTimeout = 5.0

  /// The options, arguments and help of `probe`.
  public static let spec = CommandSpec(
    name: "probe",
    summary: "Check DNS, TCP and HTTP health of vmagent and VictoriaMetrics.",
    discussion: """
      Resolves the server's name through the system resolver, connects to each address until
      one answers, asks the health check, then reads what only the server can tell: vmagent's
      queue, drops and remote-write failures from /metrics, VictoriaMetrics' retention and
      import limits from /flags. Each phase is timed and limited by --timeout; a failure is
      classified (dns_temporary, dns_not_found, connection_refused, timeout, http_status, ...)
      and explained with a command to try next.

      URLs: --url, else $ARRAYTOOL_URL (vmagent) or $ARRAYTOOL_VM_URL (VictoriaMetrics), else
      http://127.0.0.1:8429 and http://127.0.0.1:8428. Exit status 0 when every target is
      healthy, 1 when one is not, 2 for a usage error.
      """,
    positionals: [
      PositionalSpec(
        "TARGET", help: "vmagent, victoriametrics or all (both).",
        choices: ["vmagent", "victoriametrics", "all"])
    ],
    options: [
      OptionSpec(
        "url", .value(placeholder: "URL"),
        help: "The server's URL; with 'all', vmagent's (default: $ARRAYTOOL_URL)."),
      OptionSpec(
        "vm-url", .value(placeholder: "URL"),
        help: "VictoriaMetrics' URL for 'all' and --write-test (default: $ARRAYTOOL_VM_URL)."),
      OptionSpec(
        "timeout", .value(placeholder: "SECONDS"),
        help: "Time limit of each phase (default 5; 1.5, 90s and 2m work too)."),
      OptionSpec(
        "wait", .value(placeholder: "SECONDS"),
        help: "Probe again every second until healthy or SECONDS have passed."),
      OptionSpec(
        "write-test",
        help: "Write a sample with a unique label, read it back from VictoriaMetrics; it stays."),
      OptionSpec("json", help: "Print one JSON object per target, one per line."),
    ],
    examples: [
      "arraytool probe vmagent",
      "arraytool probe all --json",
      "ARRAYTOOL_URL=http://vmagent:8429 arraytool probe vmagent --wait 60",
      "arraytool probe vmagent --url http://vmagent:8429 --vm-url http://vm:8428 --write-test",
    ]
  )

  /// Probes every target named and returns 0 when all are healthy, 1 otherwise.
  public static func run(_ arguments: ParsedArguments, context: CommandContext) throws
    -> ExitStatus
  {
    let plan = try ProbePlan(arguments, environment: context.environment)
    let console = context.console
    let prober = Prober(
      timeout: plan.timeout,
      resolverConfiguration: { ResolverConfiguration.load(environment: context.environment) },
      writeTestReader: plan.writeTest ? plan.victoriaMetrics : nil, storage: plan.victoriaMetrics)
    let report = ProbeReport(symbols: isatty(1) == 1, colour: console.colour)

    var allHealthy = true
    for (index, (target, endpoint)) in plan.targets.enumerated() {
      let result = prober.probe(target, at: endpoint, wait: plan.wait) { failed, left in
        let kind = failed.firstErrorKind?.rawValue ?? "unhealthy"
        console.diagnostic(
          "\(target.displayName) not healthy yet (\(kind)), trying again; "
            + "\(Int(left.rounded(.up))) s left")
      }
      allHealthy = allHealthy && result.healthy
      if arguments.flag("json") {
        try console.print(result.jsonLine())
      } else {
        if index > 0 { try console.print() }
        try console.out.write(report.render(result))
      }
      try console.out.flush()
    }
    return allHealthy ? .success : .problems
  }
}

/// The probe's options checked once: which servers, where, and with which limits.
struct ProbePlan {
  var targets: [(ProbeTarget, ProbeEndpoint)]
  /// Where VictoriaMetrics is, for reading back the write test.
  var victoriaMetrics: ProbeEndpoint
  var timeout: Double
  var wait: Double
  var writeTest: Bool

  init(_ arguments: ParsedArguments, environment: [String: String]) throws {
    let command = arguments.command
    let choice = arguments.positionals[0]
    let url = arguments.string("url")
    let vmURL = arguments.string("vm-url")
    if choice == "victoriametrics", let url, let vmURL, url != vmURL {
      throw UsageError(
        "--url and --vm-url name different servers for 'victoriametrics'; give one",
        command: command)
    }

    func endpoint(_ text: String, option: String) throws -> ProbeEndpoint {
      do {
        return try ProbeEndpoint(parsing: text)
      } catch let invalid as ProbeEndpoint.Invalid {
        throw UsageError("invalid \(option) '\(invalid.text)': \(invalid.reason)", command: command)
      }
    }

    let agentText = url ?? ProbeTarget.vmagent.url(environment: environment)
    let agentSource = url != nil ? "--url" : ProbeTarget.vmagent.environmentVariable
    let storageText =
      (choice == "victoriametrics" ? url : nil) ?? vmURL
      ?? ProbeTarget.victoriametrics.url(environment: environment)
    let storageSource =
      choice == "victoriametrics" && url != nil
      ? "--url" : vmURL != nil ? "--vm-url" : ProbeTarget.victoriametrics.environmentVariable
    victoriaMetrics = try endpoint(storageText, option: storageSource)
    switch choice {
    case "vmagent":
      targets = [(.vmagent, try endpoint(agentText, option: agentSource))]
    case "victoriametrics":
      targets = [(.victoriametrics, victoriaMetrics)]
    default:
      targets = [
        (.vmagent, try endpoint(agentText, option: agentSource)),
        (.victoriametrics, victoriaMetrics),
      ]
    }

    let timeout = try arguments.seconds("timeout") ?? ProbeCommand.defaultTimeout
    guard timeout > 0 else {
      let given = arguments.string("timeout") ?? ""
      throw UsageError(
        "invalid --timeout '\(given)': the time limit must be more than 0", command: command)
    }
    self.timeout = timeout
    wait = try arguments.seconds("wait") ?? 0
    writeTest = arguments.flag("write-test")
  }
}
