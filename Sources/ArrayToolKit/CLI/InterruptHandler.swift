// Turns SIGINT and SIGTERM into calls on a queue instead of an abrupt end, so that a long job can
// stop cleanly: the first signal asks it to stop, the second to stop waiting.

import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

/// Watches SIGINT and SIGTERM while it lives.
public final class InterruptHandler {
  private var sources: [DispatchSourceSignal] = []
  private var count = 0

  /// - Parameters:
  ///   - first: called on the first signal.
  ///   - again: called on every later signal.
  public init(first: @escaping () -> Void, again: @escaping () -> Void) {
    let queue = DispatchQueue(label: "arraytool.signals")
    for number in [SIGINT, SIGTERM] {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { [unowned self] in
        count += 1
        if count == 1 { first() } else { again() }
      }
      source.resume()
      sources.append(source)
    }
  }

  /// Stops watching and restores the default actions.
  public func cancel() {
    for source in sources { source.cancel() }
    sources.removeAll()
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }

  deinit { cancel() }
}
