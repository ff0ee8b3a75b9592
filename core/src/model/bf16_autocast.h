// bfloat16 autocast on the CPU for a scope (internal to core: includes ATen). Products then run
// through oneDNN (AMX where the CPU has it) and follow torch's intra-op thread setting.
#pragma once

#include <ATen/autocast_mode.h>

namespace patchout {

class Bf16Autocast {
public:
    explicit Bf16Autocast(bool on) : m_on(on) {
        if (!m_on)
            return;
        m_wasEnabled = at::autocast::is_cpu_enabled();
        at::autocast::set_cpu_enabled(true);
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::increment_nesting();
    }
    ~Bf16Autocast() {
        if (!m_on)
            return;
        if (at::autocast::decrement_nesting() == 0)
            at::autocast::clear_cache();
        at::autocast::set_cpu_enabled(m_wasEnabled);
    }
    Bf16Autocast(const Bf16Autocast&) = delete;
    Bf16Autocast& operator=(const Bf16Autocast&) = delete;

private:
    bool m_on;
    bool m_wasEnabled = false;
};

}  // namespace patchout
