// Foundation reports a failed file operation as an NSError whose text is a dump of its user info;
// the POSIX code inside it is what a person needs, said the way every other SystemError says it.

import Foundation

extension SystemError {
  /// `context` with the reason of the POSIX error inside `cause` (EIO when it holds none).
  public init(_ context: String, cause: Error) {
    let error = cause as NSError
    // On Linux the underlying error is a POSIXError, which `as? NSError` does not match.
    let underlying = (error.userInfo[NSUnderlyingErrorKey] as? Error).map { $0 as NSError }
    let posix = [error, underlying].compactMap { $0 }.first { $0.domain == NSPOSIXErrorDomain }
    self.init(context, code: posix.map { Int32($0.code) } ?? EIO)
  }
}
