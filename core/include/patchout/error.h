// The one exception type of patchout_core. Every failure that a user can cause (a bad file, a wrong
// checkpoint, a missing device) surfaces as a patchout::Error with a code the UI can branch on, a
// message, and the context (usually a file path, sometimes "path:line").
#pragma once

#include <stdexcept>
#include <string>

namespace patchout {

enum class ErrorCode {
    InvalidArgument,  // a parameter outside its documented range
    FileNotFound,     // the path does not exist or cannot be opened
    BadFormat,        // the bytes are not what they should be (corrupt header, truncated, ...)
    Unsupported,      // a valid input this build does not handle
    Io,               // reading or writing failed (disk full, permissions)
    Device,           // audio device missing or failing
    Model,            // a model or checkpoint does not fit what is asked
    Dataset,          // a dataset description is wrong
    Cancelled,        // the user cancelled a job
    Internal,         // a bug: an invariant of ours broke
};

const char* errorCodeName(ErrorCode code);

// Any exception as one line for a user: an Error's what() ("context: message"), LibTorch's message
// without its C++ backtrace, else what(); line breaks become spaces. The CLI's main(), the
// workbench and core's own wrapping of foreign errors use it.
std::string exceptionMessage(const std::exception& error);

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message, std::string context = {});

    ErrorCode code() const noexcept { return m_code; }
    const std::string& message() const noexcept { return m_message; }
    const std::string& context() const noexcept { return m_context; }

private:
    ErrorCode m_code;
    std::string m_message;
    std::string m_context;
};

}  // namespace patchout
