// Turns a classified failure into what a person on call needs at night: what it means in plain
// words, and the next thing to try as a command that can be pasted as it is.

import Foundation

/// A problem found by a probe, explained.
public struct Diagnosis: Equatable, Sendable {
  /// The kind of problem explained.
  public var kind: ProbeErrorKind
  /// What happened and what it usually means, in a few sentences.
  public var explanation: String
  /// A command to run next, ready to paste.
  public var nextStep: String

  /// What the explanation needs to know about the probe.
  struct Context {
    var target: ProbeTarget
    var endpoint: ProbeEndpoint
    var timeout: Double
    var resolver: ResolverConfiguration?
    /// The address that accepted the connection, when one did.
    var address: ResolvedAddress?
    /// Every address the name resolved to.
    var addresses: [ResolvedAddress] = []
    /// The VictoriaMetrics a vmagent writes to, when the user named it.
    var storage: ProbeEndpoint?
    /// Whether `target` is only a guess: a failure before any answer is not said to be the
    /// guessed server's.
    var targetGuessed = false
  }

  /// Explains `failure` met while probing in `context`.
  static func explain(_ failure: ProbeFailure, in context: Context) -> Diagnosis {
    let name = context.targetGuessed ? "vmagent or VictoriaMetrics" : context.target.displayName
    let host = context.endpoint.host
    let port = context.endpoint.port
    let health = context.endpoint.url(context.target.healthPath)
    let seconds = ResolverError.format(seconds: context.timeout)
    let probeStorage = context.storage.map {
      "arraytool probe victoriametrics --url \(shellQuoted($0.display))"
    } ?? "arraytool probe victoriametrics"
    let lookup = "getent ahosts \(shellQuoted(host))"
    let text: String
    let next: String
    switch failure.kind {
    case .dnsTemporary:
      let servers =
        context.resolver.map { resolver in
          resolver.nameservers.isEmpty ? "127.0.0.1" : resolver.nameservers.joined(separator: ", ")
        } ?? "the configured nameserver"
      text =
        "The resolver did not answer for '\(host)': the DNS server (\(servers)) could not"
        + " be reached or did not reply in time. The name itself may well be right; look at the"
        + " network of this host or container and at its /etc/resolv.conf."
      next = lookup
    case .dnsNotFound:
      let lastLabel = host.split(separator: ".").last.map { $0.lowercased() } ?? ""
      if SystemResolver.reservedDomains.contains(lastLabel) {
        // Nothing was asked: a resolver's view of the name has nothing to do with it.
        text =
          "The name '\(host)' is under .\(lastLabel), which is reserved never to exist"
          + " (RFC 6761): the URL is a placeholder or a mistake. Give the name or address where"
          + " this host reaches the \(name)."
      } else {
        text =
          "The name '\(host)' does not exist for this host's resolver. Either it is misspelt,"
          + " or this container is not attached to the network where '\(host)' is defined"
          + " (container names resolve only inside their own network)."
      }
      next = lookup
    case .dnsFailed:
      text =
        "The resolver failed to look up '\(host)' and gave no reason to think that trying"
        + " again will help."
      next = lookup
    case .noAddress:
      text = "The name '\(host)' exists but has no IPv4 or IPv6 address to connect to."
      next = lookup
    case .connectionRefused:
      text =
        "\(host) answered, but nothing accepts connections on port \(port): \(name) is not"
        + " running there, or it listens on another address or port (its -httpListenAddr)."
      next = "ss -ltnp 'sport = :\(port)'"
    case .unreachable where context.addresses.contains(where: \.isLoopback):
      text =
        "Even the loopback address cannot be reached: the loopback interface is down, as in a"
        + " network namespace that was just created."
      next = "ip link set lo up"
    case .unreachable:
      text =
        "There is no route from here to \(host): the network of this host or container"
        + " does not reach the server's network."
      next = "ip route get \(context.addresses.first?.ip ?? host)"
    case .timeout where context.address == nil:
      text =
        "\(host):\(port) did not answer within \(seconds) s. A firewall may be dropping the"
        + " packets, or the address belongs to a machine that is down or elsewhere."
      next = "curl -v --max-time \(seconds) \(shellQuoted(health))"
    case .timeout:
      text =
        "\(host):\(port) accepted the connection but did not answer within \(seconds) s:"
        + " \(name) is overloaded or hung, or something else listens on that port."
      next = "curl -v --max-time \(seconds) \(shellQuoted(health))"
    case .connectionFailed:
      text = "The connection to \(host):\(port) failed or broke off before \(name) answered."
      next = "curl -v --max-time \(seconds) \(shellQuoted(health))"
    case .tls:
      text =
        "The TLS handshake with \(host):\(port) failed: the certificate may be self-signed,"
        + " expired or for another name, or the server speaks plain HTTP (try http://)."
      next = "openssl s_client -connect \(host):\(port) -servername \(host) </dev/null"
    case .httpStatus where !context.endpoint.basePath.isEmpty
      && failure.message.contains("unsupported path"):
      // A single-node VictoriaMetrics or a vmagent refuses a path it does not serve with 400.
      let root = context.endpoint.display.dropLast(context.endpoint.basePath.count)
      text =
        "\(host):\(port) answers, but serves nothing under \(context.endpoint.basePath): a vmagent"
        + " or a single-node VictoriaMetrics takes imports at its root (\(root)), and a path"
        + " such as /insert/0/prometheus belongs to a cluster's vminsert. If this is a vmagent"
        + " or a single-node VictoriaMetrics, give the URL without the path."
      next = "arraytool probe \(context.target.rawValue) --url \(shellQuoted(String(root)))"
    case .httpStatus:
      text =
        "\(name) is reachable but its health check did not answer 200 (\(failure.message));"
        + " \(name)'s own log usually says more."
      next = "curl -i \(shellQuoted(health))"
    case .badResponse where failure.message.hasSuffix(ServerFacts.vmagentFlags):
      text =
        "This is a vmagent, not a VictoriaMetrics: \(context.endpoint.display) answers its"
        + " health check but its /flags page lists -remoteWrite.url. vmagent passes samples on and"
        + " cannot be asked for flags or data; the VictoriaMetrics it writes to usually listens"
        + " on port 8428."
      next = "arraytool probe vmagent --url \(shellQuoted(context.endpoint.display))"
    case .badResponse where failure.message.hasSuffix(ServerFacts.storageMetrics):
      text =
        "This is a VictoriaMetrics, not a vmagent: \(context.endpoint.display) counts stored rows"
        + " on its /metrics page and has no vmagent_ metric. An import can write to it directly;"
        + " vmagent, when there is one, usually listens on port 8429."
      next = "arraytool probe victoriametrics --url \(shellQuoted(context.endpoint.display))"
    case .badResponse:
      text =
        "Something answers at \(context.endpoint.display), but not the way \(name) does:"
        + " the URL may point at another service or a proxy."
      next = "curl -i \(shellQuoted(health))"
    case .unhealthy:
      text =
        "vmagent is up but every attempt to pass data on to its remote storage has failed:"
        + " VictoriaMetrics is down or unreachable from vmagent, or -remoteWrite.url is wrong."
        + " Data sent now waits in vmagent's queue."
      next = probeStorage
    case .queueBacklog:
      text =
        "vmagent holds more data than it should (more than two full blocks). Its remote"
        + " storage is slower than the incoming data or cannot be reached; an import now only"
        + " adds to the queue."
      next = probeStorage
    case .droppingData:
      text =
        "vmagent has thrown data away since it started, because its queue was full"
        + " (-remoteWrite.maxDiskUsagePerURL) or the remote storage refused it. Samples sent"
        + " then are lost and must be imported again."
      next = "curl -s \(shellQuoted(context.endpoint.url("/metrics"))) | grep _dropped"
    case .writeTestFailed where failure.message.contains(WriteTest.readerUnreachable):
      text =
        "The test sample was written, but the VictoriaMetrics to read it back from cannot be"
        + " reached, so whether it arrives is not known. Name the VictoriaMetrics that"
        + " \(context.endpoint.display) writes to (its -remoteWrite.url) with --vm-url."
      next = "arraytool probe \(context.target.rawValue) --url "
        + "\(shellQuoted(context.endpoint.display)) --vm-url http://HOST:8428 --write-test"
    case .writeTestFailed:
      text =
        "The test sample was not written or not read back within \(seconds) s, so data"
        + " sent through \(context.endpoint.display) does not reach VictoriaMetrics in time."
      next = probeStorage
    }
    return Diagnosis(kind: failure.kind, explanation: text, nextStep: next)
  }

  /// `text` in single quotes when it holds anything a shell would act on.
  static func shellQuoted(_ text: String) -> String {
    let plain = text.allSatisfy { $0.isLetter || $0.isNumber || "-_./:@%+=,".contains($0) }
    if plain && !text.isEmpty { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
