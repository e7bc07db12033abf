// How `probe` turns options and environment into targets, URLs and limits, and the usage errors
// for values it cannot use.

import Testing

@testable import ArrayToolKit

private func plan(_ words: [String], environment: [String: String] = [:]) throws -> ProbePlan {
  let arguments = try ArgumentParser.parse(words, spec: ProbeCommand.spec)
  return try ProbePlan(arguments, environment: environment)
}

private func urls(_ plan: ProbePlan) -> [String] {
  plan.targets.map { "\($0.0.rawValue) \($0.1.display)" }
}

@Suite struct ProbePlanTests {
  @Test func defaultsAreTheLocalPorts() throws {
    let both = try plan(["all"])
    #expect(
      urls(both) == [
        "vmagent http://127.0.0.1:8429", "victoriametrics http://127.0.0.1:8428",
      ])
    #expect(both.timeout == 5)
    #expect(both.wait == 0)
    #expect(!both.writeTest)
  }

  @Test func environmentVariablesOverrideTheDefaults() throws {
    let environment = ["ARRAYTOOL_URL": "http://vmagent:8429", "ARRAYTOOL_VM_URL": "vm:8428"]
    #expect(
      urls(try plan(["all"], environment: environment)) == [
        "vmagent http://vmagent:8429", "victoriametrics http://vm:8428",
      ])
    #expect(
      urls(try plan(["vmagent"], environment: ["ARRAYTOOL_URL": ""])) == [
        "vmagent http://127.0.0.1:8429"
      ])
  }

  @Test func urlOptionsWinOverTheEnvironment() throws {
    let environment = [
      "ARRAYTOOL_URL": "http://vmagent:8429", "ARRAYTOOL_VM_URL": "http://vm:8428",
    ]
    let agent = try plan(
      ["vmagent", "--url", "https://agent.example/vmagent/"], environment: environment)
    #expect(urls(agent) == ["vmagent https://agent.example:443/vmagent"])
    #expect(agent.victoriaMetrics.display == "http://vm:8428")
    let storage = try plan(
      ["victoriametrics", "--url", "http://[::1]:9428"], environment: environment)
    #expect(urls(storage) == ["victoriametrics http://[::1]:9428"])
    let both = try plan([
      "all", "--url", "a:1", "--vm-url", "b:2", "--timeout", "1.5", "--wait", "1m",
    ])
    #expect(urls(both) == ["vmagent http://a:1", "victoriametrics http://b:2"])
    #expect(both.timeout == 1.5)
    #expect(both.wait == 60)
  }

  @Test func badValuesAreUsageErrors() {
    #expect(
      throws: UsageError(
        "invalid --url 'ftp://vmagent': the scheme must be http or https", command: "probe")
    ) {
      try plan(["vmagent", "--url", "ftp://vmagent"])
    }
    #expect(
      throws: UsageError(
        "invalid ARRAYTOOL_VM_URL 'http://vm:99999': the port must be from 1 to 65535",
        command: "probe")
    ) {
      try plan(["all"], environment: ["ARRAYTOOL_VM_URL": "http://vm:99999"])
    }
    #expect(
      throws: UsageError(
        "invalid --timeout '0s': the time limit must be more than 0", command: "probe")
    ) {
      try plan(["vmagent", "--timeout", "0s"])
    }
    #expect(
      throws: UsageError(
        "invalid TARGET 'vmagnet': expected one of vmagent, victoriametrics, all", command: "probe")
    ) {
      try plan(["vmagnet"])
    }
    #expect(
      throws: UsageError(
        "--url and --vm-url name different servers for 'victoriametrics'; give one",
        command: "probe")
    ) {
      try plan(["victoriametrics", "--url", "a:1", "--vm-url", "b:2"])
    }
  }

  @Test func endpointsKeepWhatEachPhaseNeeds() throws {
    let endpoint = try ProbeEndpoint(parsing: "https://probe:s3cret@agent.example:8443/prefix//")
    #expect(endpoint.scheme == "https")
    #expect(endpoint.host == "agent.example")
    #expect(endpoint.port == 8443)
    #expect(endpoint.basePath == "/prefix")
    #expect(endpoint.display == "https://agent.example:8443/prefix")
    #expect(endpoint.url("/-/healthy") == "https://agent.example:8443/prefix/-/healthy")
    #expect(endpoint.authorization == "Basic cHJvYmU6czNjcmV0")
    #expect(try ProbeEndpoint(parsing: "http://[::1]").hostHeader == "[::1]")
    #expect(try ProbeEndpoint(parsing: "vmagent:8429").hostHeader == "vmagent:8429")
    #expect(throws: ProbeEndpoint.Invalid(text: "http://:8429", reason: "there is no host")) {
      try ProbeEndpoint(parsing: "http://:8429")
    }
    #expect(
      throws: ProbeEndpoint.Invalid(
        text: "http://vm:8428/?x=1", reason: "give the server's base URL, without ? or #")
    ) {
      try ProbeEndpoint(parsing: "http://vm:8428/?x=1")
    }
    for typo in ["http//vm:8428", "http:/vm:8428", "HTTP//vm:8428"] {
      #expect(throws: ProbeEndpoint.Invalid(text: typo, reason: "the scheme is written http://")) {
        try ProbeEndpoint(parsing: typo)
      }
    }
    #expect(throws: ProbeEndpoint.Invalid(text: "https//vm", reason: "the scheme is written https://")) {
      try ProbeEndpoint(parsing: "https//vm")
    }
    #expect(try ProbeEndpoint(parsing: "httpd:8080").host == "httpd")
  }
}
