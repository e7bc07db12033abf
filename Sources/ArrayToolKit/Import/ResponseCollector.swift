// Receives the answers to import requests for `HTTPSender`. VictoriaMetrics and vmagent answer an
// import with an empty body or a one-line error, but nothing stops a misconfigured proxy or a
// hostile server from answering with gigabytes: only the first bytes of each answer are kept, so
// memory stays bounded whatever comes back, and the rest is read and dropped.

import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// The session delegate that keeps the head of every answer and reports each finished request.
final class ResponseCollector: NSObject, URLSessionDataDelegate, @unchecked Sendable {
  /// What a finished request left: the kept head of the body, the response, the error.
  typealias Completion = (Data, URLResponse?, Error?) -> Void

  /// The most bytes of one answer that are kept.
  let keptBytes: Int
  private let lock = NSLock()
  private var bodies: [Int: Data] = [:]
  private var completions: [Int: Completion] = [:]

  init(keptBytes: Int = 64 << 10) {
    self.keptBytes = keptBytes
  }

  /// Calls `completion` once when `task` finishes; call before the task is resumed.
  func expect(_ task: URLSessionTask, completion: @escaping Completion) {
    lock.lock()
    completions[task.taskIdentifier] = completion
    bodies[task.taskIdentifier] = Data()
    lock.unlock()
  }

  /// Appends `data` to what `task` kept, up to `keptBytes`; returns how many bytes it kept.
  @discardableResult
  func keep(_ data: Data, for task: Int) -> Int {
    lock.lock()
    defer { lock.unlock() }
    guard var body = bodies[task] else { return 0 }
    let room = keptBytes - body.count
    if room > 0 {
      body.append(data.prefix(room))
      bodies[task] = body
    }
    return body.count
  }

  /// Hands what `task` kept to its completion, once.
  func finish(_ task: URLSessionTask, error: Error?) {
    lock.lock()
    let completion = completions.removeValue(forKey: task.taskIdentifier)
    let body = bodies.removeValue(forKey: task.taskIdentifier) ?? Data()
    lock.unlock()
    completion?(body, task.response, error)
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
    keep(data, for: dataTask.taskIdentifier)
  }

  func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
    finish(task, error: error)
  }
}
