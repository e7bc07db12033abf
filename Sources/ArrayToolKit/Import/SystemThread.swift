// Starting a thread that may not start. In a container at its limit of processes, a new thread
// cannot be made: Foundation's `Thread` then says nothing, and libdispatch's `concurrentPerform`
// waits for workers that never come, so whoever waits for the work waits forever.
// `pthread_create` says when it fails, and the callers go on with the threads they have.

#if canImport(Glibc)
  import Glibc
#endif

enum SystemThread {
  /// Runs `body` on a new detached thread.
  /// - Returns: false, with `body` not run, when no thread could be made.
  @discardableResult
  static func detach(_ body: @escaping @Sendable () -> Void) -> Bool {
    final class Box {
      let body: @Sendable () -> Void
      init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body))
    var thread = pthread_t()
    let status = pthread_create(
      &thread, nil,
      { context in
        Unmanaged<Box>.fromOpaque(context!).takeRetainedValue().body()
        return nil
      }, context.toOpaque())
    guard status == 0 else {
      context.release()
      return false
    }
    pthread_detach(thread)
    return true
  }
}
