// How a running import talks to the person at the terminal: one stderr line per retry, fallback,
// spooled or lost batch and damaged file, and a progress line that those lines do not garble.

import Foundation

/// Writes retries, failures and the progress line to stderr.
final class ConsoleImportEvents: ImportEvents, @unchecked Sendable {
  private let line: ProgressLine

  init(console: Console) { line = ProgressLine(console: console) }

  func progress(_ text: String) { line.show(text) }

  func clearProgress() { line.clear() }

  func say(_ message: String) { line.say(message) }

  func retrying(_ batch: ImportBatch, attempt: Int, of attempts: Int, delay: Double,
                failure: DeliveryFailure, target: ImportTarget, countsFirst: Bool) {
    say("\(RetryPolicy.announce(attempt + 1, of: attempts, in: delay, countsFirst: countsFirst)): "
      + "batch \(batch.sequence) "
      + "(\(batch.location), \(batch.blockRange)) to \(target.base.absoluteString): \(failure.message)")
  }

  func fallingBack(_ batch: ImportBatch, failure: DeliveryFailure, to target: ImportTarget) {
    say("batch \(batch.sequence) (\(batch.location), \(batch.blockRange)) goes to fallback "
      + "\(target.base.absoluteString): \(failure.message)")
  }

  func spooled(_ batch: ImportBatch, attempts: Int, failure: DeliveryFailure, path: String) {
    say("batch \(batch.sequence) (\(batch.location), \(batch.blockRange), \(batch.samples) "
      + "samples) spooled to \(path) after \(attempts) attempt\(attempts == 1 ? "" : "s"): "
      + failure.message
      + (failure.mayHaveArrived ? " (\(DeliveryFailure.mayBeStoredNote))" : ""))
  }

  func gaveUp(_ batch: ImportBatch, attempts: Int, failure: DeliveryFailure) {
    say("error: batch \(batch.sequence) (\(batch.location), \(batch.blockRange), "
      + "\(batch.samples) samples) not delivered after \(attempts) attempt"
      + "\(attempts == 1 ? "" : "s"): \(failure.message)")
  }

  func checkedStored(
    _ batch: ImportBatch, state: StoredState, samples: Int, failure: DeliveryFailure
  ) {
    say("batch \(batch.sequence) (\(batch.location), \(batch.blockRange)): "
      + StoredState.describe(state, samples: samples, failure: failure))
  }

  func fileFault(_ fault: InputFault) {
    say(fault.line)
  }
}
