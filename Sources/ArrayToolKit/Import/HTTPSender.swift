// Posts request bodies through URLSession and turns every way a request can fail into a
// `DeliveryFailure` that says whether to try again.

import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Sends import requests, one at a time per calling thread, many threads at once.
public final class HTTPSender: @unchecked Sendable {
  private let session: URLSession
  private let collector = ResponseCollector()
  private let authorization: String?
  private let timeout: Double
  /// Tells a missing name from a resolver that did not answer when a request failed on DNS.
  private let resolveCheck: (String) -> DeliveryFailure.Kind
  /// The requests started and not finished yet, and whether `cancelAll()` was called: a request
  /// that would start after it does not.
  private let flightLock = NSLock()
  private var inFlight: [Int: URLSessionTask] = [:]
  private var cancelled = false

  public init(
    timeout: Double, connections: Int, credentials: Credentials,
    resolveCheck: @escaping (String) -> DeliveryFailure.Kind = HTTPSender.classifyName
  ) {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = timeout
    configuration.timeoutIntervalForResource = timeout * 4
    configuration.httpMaximumConnectionsPerHost = max(1, connections)
    configuration.urlCache = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    session = URLSession(configuration: configuration, delegate: collector, delegateQueue: nil)
    authorization = credentials.authorization
    self.timeout = timeout
    self.resolveCheck = resolveCheck
  }

  deinit { session.invalidateAndCancel() }

  /// The failure of a request cancelled by `cancelAll()`, or not started because of it.
  public static let cancelledFailure = DeliveryFailure(
    .other, "cancelled: the run was interrupted a second time")

  /// Cancels every request in flight, each ending as `cancelledFailure`, and refuses the
  /// requests after it the same way without sending them.
  public func cancelAll() {
    flightLock.lock()
    cancelled = true
    let tasks = Array(inFlight.values)
    flightLock.unlock()
    for task in tasks { task.cancel() }
  }

  /// Posts `body` to `url`; returns nil on a 2xx answer, the failure otherwise.
  public func post(_ body: Data, to url: URL, gzipped: Bool) -> DeliveryFailure? {
    var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
    request.httpMethod = "POST"
    request.setValue("application/x-ndjson", forHTTPHeaderField: "Content-Type")
    if gzipped { request.setValue("gzip", forHTTPHeaderField: "Content-Encoding") }
    if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
    final class Outcome: @unchecked Sendable {
      var data = Data()
      var response: URLResponse?
      var error: Error?
    }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    request.httpBody = body
    // Made and registered under the lock that cancelAll() takes: a request is either reached
    // by it or never started.
    flightLock.lock()
    guard !cancelled else {
      flightLock.unlock()
      return Self.cancelledFailure
    }
    let task = session.dataTask(with: request)
    collector.expect(task) { data, response, error in
      outcome.data = data
      outcome.response = response
      outcome.error = error
      done.signal()
    }
    inFlight[task.taskIdentifier] = task
    flightLock.unlock()
    task.resume()
    done.wait()
    flightLock.lock()
    inFlight[task.taskIdentifier] = nil
    let wasCancelled = cancelled
    flightLock.unlock()
    if let error = outcome.error {
      // Cut off without an answer after some of the body went out: whether the server stored
      // it is not known. A request cancelled while it ran counts as such whatever its count of
      // bytes says, which lags behind what was written to the socket.
      if wasCancelled, (error as? URLError)?.code == .cancelled {
        var failure = Self.cancelledFailure
        failure.mayHaveArrived = true
        return failure
      }
      var failure = classify(error, url: url)
      failure.mayHaveArrived = task.countOfBytesSent > 0
      return failure
    }
    guard let http = outcome.response as? HTTPURLResponse else {
      return DeliveryFailure(.other, "the server's answer was not HTTP")
    }
    let status = http.statusCode
    if (200..<300).contains(status) { return nil }
    let text = String(decoding: outcome.data.prefix(300), as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let reason = HTTPURLResponse.localizedString(forStatusCode: status)
    let message = "HTTP \(status) \(reason)" + (text.isEmpty ? "" : ": \(text)")
    let retryable = status == 429 || status >= 500
    var failure = DeliveryFailure(retryable ? .httpRetryable : .httpRejected, message, status: status)
    // A proxy (nginx, vmauth) answers 502 or 504 when the server behind it failed or was too
    // slow after it had passed the body on, and a server's own 500 may come after part of the
    // body was stored: either may have stored it. 429 and 503 refuse the request before it.
    failure.mayHaveArrived = [500, 502, 504].contains(status)
    return failure
  }

  private func classify(_ error: Error, url: URL) -> DeliveryFailure {
    let host = url.host ?? "?"
    let place = "\(host):\(url.port ?? 80)"
    guard let urlError = error as? URLError else {
      return DeliveryFailure(.other, "\(error.localizedDescription)")
    }
    switch urlError.code {
    case .timedOut:
      return DeliveryFailure(.timeout, "no answer from \(place) within \(formatSeconds(timeout))")
    case .cannotConnectToHost:
      return DeliveryFailure(.connectionRefused, "connection refused by \(place)")
    case .networkConnectionLost:
      return DeliveryFailure(.connectionReset, "connection to \(place) was reset")
    case .cannotFindHost, .dnsLookupFailed:
      let kind = resolveCheck(host)
      if kind == .dnsNotFound {
        return DeliveryFailure(.dnsNotFound, "the name \(host) does not exist (DNS)")
      }
      return DeliveryFailure(.dnsTemporary, "temporary DNS failure resolving \(host)")
    case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
      .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot,
      .clientCertificateRejected, .clientCertificateRequired:
      return DeliveryFailure(.tls, "TLS with \(place) failed: \(urlError.localizedDescription)")
    default:
      return DeliveryFailure(.other, "request to \(place) failed: \(urlError.localizedDescription)")
    }
  }

  /// Asks the system resolver about `host` once: `dnsNotFound` when the name does not exist,
  /// `dnsTemporary` otherwise.
  public static func classifyName(_ host: String) -> DeliveryFailure.Kind {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var result: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, nil, &hints, &result)
    if let result { freeaddrinfo(result) }
    switch status {
    case EAI_NONAME, -5: return .dnsNotFound  // -5 is glibc's EAI_NODATA
    case 0: return .dnsTemporary
    default: return .dnsTemporary
    }
  }
}

/// `1.5 s`, `250 ms`.
func formatSeconds(_ seconds: Double) -> String {
  if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
  let rounded = (seconds * 100).rounded() / 100
  return rounded == rounded.rounded() ? "\(Int(rounded)) s" : "\(rounded) s"
}
