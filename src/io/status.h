// Status / StatusOr: how every fallible tfckpt function reports failure.
// Codes are TensorFlow's (and gRPC's), so an error we return carries the same
// class TF would raise (NotFound for a missing key, DataLoss for a bad CRC...).
//
// We keep our own small type rather than Debian's Abseil: that build uses
// absl::string_view distinct from std::string_view, which makes every call
// site awkward.
#ifndef TFCKPT_IO_STATUS_H_
#define TFCKPT_IO_STATUS_H_

#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

namespace tfckpt {

enum class StatusCode {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
};

// "DATA_LOSS", "NOT_FOUND", ... (TensorFlow's spelling).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(code == StatusCode::kOk ? "" : std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "DATA_LOSS: <message>" or "OK".
  std::string ToString() const;
  // The same code with "<context>: " in front of the message.
  Status WithContext(std::string_view context) const;
  void IgnoreError() const {}

  bool operator==(const Status& o) const {
    return code_ == o.code_ && message_ == o.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
std::ostream& operator<<(std::ostream& os, const Status& s);

#define TFCKPT_DEFINE_ERROR(Name, code)                        \
  inline Status Name##Error(std::string message) {             \
    return Status(StatusCode::code, std::move(message));       \
  }
TFCKPT_DEFINE_ERROR(Cancelled, kCancelled)
TFCKPT_DEFINE_ERROR(Unknown, kUnknown)
TFCKPT_DEFINE_ERROR(InvalidArgument, kInvalidArgument)
TFCKPT_DEFINE_ERROR(NotFound, kNotFound)
TFCKPT_DEFINE_ERROR(AlreadyExists, kAlreadyExists)
TFCKPT_DEFINE_ERROR(PermissionDenied, kPermissionDenied)
TFCKPT_DEFINE_ERROR(ResourceExhausted, kResourceExhausted)
TFCKPT_DEFINE_ERROR(FailedPrecondition, kFailedPrecondition)
TFCKPT_DEFINE_ERROR(Aborted, kAborted)
TFCKPT_DEFINE_ERROR(OutOfRange, kOutOfRange)
TFCKPT_DEFINE_ERROR(Unimplemented, kUnimplemented)
TFCKPT_DEFINE_ERROR(Internal, kInternal)
TFCKPT_DEFINE_ERROR(Unavailable, kUnavailable)
TFCKPT_DEFINE_ERROR(DataLoss, kDataLoss)
#undef TFCKPT_DEFINE_ERROR

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(Status s) : status_(std::move(s)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = InternalError("StatusOr built from OK status");
  }
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

// Concatenates anything streamable: StrCat("offset ", 12, ": ", name).
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

#define TFCKPT_STATUS_CONCAT_INNER(a, b) a##b
#define TFCKPT_STATUS_CONCAT(a, b) TFCKPT_STATUS_CONCAT_INNER(a, b)

#define TFCKPT_RETURN_IF_ERROR(expr)               \
  do {                                             \
    ::tfckpt::Status _tfckpt_status = (expr);      \
    if (!_tfckpt_status.ok()) return _tfckpt_status; \
  } while (0)

#define TFCKPT_ASSIGN_OR_RETURN(lhs, expr) \
  TFCKPT_ASSIGN_OR_RETURN_IMPL(TFCKPT_STATUS_CONCAT(_tfckpt_or_, __LINE__), lhs, expr)
#define TFCKPT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

}  // namespace tfckpt

#endif  // TFCKPT_IO_STATUS_H_
