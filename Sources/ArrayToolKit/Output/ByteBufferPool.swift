// Hands rendered buffers back for reuse. A parallel export fills a megabyte buffer per hand-off;
// allocating a fresh one each time made the kernel map and fault in every page of the output
// again, which cost more system time than the rendering saved by the second core.

import Foundation

/// A bounded, thread-safe stock of empty `ByteBuffer`s of one capacity.
final class ByteBufferPool: @unchecked Sendable {
  private let lock = NSLock()
  private var spare: [ByteBuffer] = []
  private let capacity: Int
  private let limit: Int

  /// - Parameters:
  ///   - capacity: the capacity of the buffers made.
  ///   - limit: the most buffers kept; more given back are freed.
  init(capacity: Int, limit: Int) {
    self.capacity = capacity
    self.limit = limit
  }

  /// An empty buffer, reused when one is in stock.
  func take() -> ByteBuffer {
    lock.lock()
    let reused = spare.popLast()
    lock.unlock()
    return reused ?? ByteBuffer(capacity: capacity)
  }

  /// Returns `buffer` once its bytes have been written out.
  func give(_ buffer: ByteBuffer) {
    buffer.removeAll()
    lock.lock()
    if spare.count < limit { spare.append(buffer) }
    lock.unlock()
  }
}
