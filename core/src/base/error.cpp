#include "patchout/error.h"
#include "patchout/job.h"

#include <c10/util/Exception.h>

namespace patchout {

const char* errorCodeName(ErrorCode code) {
    switch (code) {
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::FileNotFound: return "file not found";
    case ErrorCode::BadFormat: return "bad format";
    case ErrorCode::Unsupported: return "unsupported";
    case ErrorCode::Io: return "i/o error";
    case ErrorCode::Device: return "audio device";
    case ErrorCode::Model: return "model";
    case ErrorCode::Dataset: return "dataset";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::Internal: return "internal error";
    }
    return "error";
}

static std::string composeWhat(const std::string& message, const std::string& context) {
    return context.empty() ? message : context + ": " + message;
}

Error::Error(ErrorCode code, const std::string& message, std::string context)
    : std::runtime_error(composeWhat(message, context)), m_code(code), m_message(message),
      m_context(std::move(context)) {}

std::string exceptionMessage(const std::exception& error) {
    std::string text;
    if (const auto* torchError = dynamic_cast<const c10::Error*>(&error))
        text = torchError->what_without_backtrace();
    else
        text = error.what();
    // LibTorch errors that reach us wrapped (as another exception's text) carry the trace too.
    for (const char* trace : {"\nException raised from ", "\nframe #"})
        if (const auto at = text.find(trace); at != std::string::npos)
            text.resize(at);
    for (char& c : text)
        if (c == '\n' || c == '\r')
            c = ' ';
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.pop_back();
    return text;
}

void JobControl::throwIfCancelled() const {
    if (cancelled())
        throw Error(ErrorCode::Cancelled, "cancelled by the user");
}

}  // namespace patchout
