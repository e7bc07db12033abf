// Maps the indices 0..<count on all cores and returns the results in index order. The reports of
// `analyze-logs` write each incident on its own (its advice, its facts, its wrapped paragraphs):
// a log of thousands of incidents spends about a third of its time there, and the incidents do
// not depend on each other, so they are rendered in contiguous chunks side by side and joined
// in order, which gives the same text as rendering them one after the other.

import Foundation

/// An order-keeping parallel map over a range of indices.
enum OrderedParallelMap {
  /// Fewer items than this are mapped on the calling thread: starting threads would cost more.
  static let serialLimit = 16

  /// `transform` of each index in `0..<count`, in index order; `transform` must not depend on
  /// the order in which indices are visited, since chunks run at the same time.
  static func map<Result>(
    _ count: Int, chunks requested: Int? = nil, _ transform: (Int) -> Result
  ) -> [Result] {
    mapChunks(count, chunks: requested) { $0.map(transform) }.flatMap { $0 }
  }

  /// `transform` of contiguous ranges that together cover `0..<count`, in order: one result per
  /// chunk, so that a chunk's items can be written into one buffer.
  static func mapChunks<Result>(
    _ count: Int, chunks requested: Int? = nil, _ transform: (Range<Int>) -> Result
  ) -> [Result] {
    let chunks = min(count, requested ?? ProcessInfo.processInfo.activeProcessorCount * 4)
    guard chunks > 1, count >= serialLimit || requested != nil else {
      return count == 0 ? [] : [transform(0..<count)]
    }
    return [Result](unsafeUninitializedCapacity: chunks) { buffer, initialized in
      let base = buffer.baseAddress!
      let next = AtomicCounter()
      // Each chunk initialises its own element of the buffer, on whichever thread takes it.
      func work() {
        while case let chunk = next.increment(), chunk < chunks {
          let range = (count * chunk / chunks)..<(count * (chunk + 1) / chunks)
          (base + chunk).initialize(to: transform(range))
        }
      }
      withoutActuallyEscaping(work) { work in
        // Helpers reach `work` through a pointer, so that none holds it once it has left `done`:
        // a closure still referenced when this scope ends would count as escaped.
        withUnsafePointer(to: work) { pointer in
          let shared = UncheckedSendable(pointer)
          // The calling thread works too; helpers that cannot be started leave it more to do.
          let done = DispatchGroup()
          let helpers = min(chunks, ProcessInfo.processInfo.activeProcessorCount) - 1
          for _ in 0..<max(0, helpers) {
            done.enter()
            if !SystemThread.detach({ shared.value.pointee(); done.leave() }) { done.leave() }
          }
          work()
          done.wait()
        }
      }
      initialized = chunks
    }
  }
}

/// A value handed to another thread that is safe to use there though its type does not say so
/// (here: a pointer to a closure that takes chunks only through an atomic counter, valid until
/// every helper has left the group the caller waits on).
private struct UncheckedSendable<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
