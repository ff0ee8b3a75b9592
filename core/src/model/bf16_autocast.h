// bfloat16 autocast on the CPU for a scope (internal to core: includes ATen). Products then run
// through oneDNN (AMX where the CPU has it) and follow torch's intra-op thread setting.
#pragma once

#include <ATen/autocast_mode.h>

namespace patchout {

class Bf16Autocast {
public:
    // `cuda`: autocast the GPU's products instead (a model on ComputeDevice::Cuda).
    explicit Bf16Autocast(bool on, bool cuda = false) : m_on(on), m_cuda(cuda) {
        if (!m_on)
            return;
        if (m_cuda) {
            m_wasEnabled = at::autocast::is_enabled();
            at::autocast::set_enabled(true);
            at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        } else {
            m_wasEnabled = at::autocast::is_cpu_enabled();
            at::autocast::set_cpu_enabled(true);
            at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        }
        at::autocast::increment_nesting();
    }
    ~Bf16Autocast() {
        if (!m_on)
            return;
        if (at::autocast::decrement_nesting() == 0)
            at::autocast::clear_cache();
        if (m_cuda)
            at::autocast::set_enabled(m_wasEnabled);
        else
            at::autocast::set_cpu_enabled(m_wasEnabled);
    }
    Bf16Autocast(const Bf16Autocast&) = delete;
    Bf16Autocast& operator=(const Bf16Autocast&) = delete;

private:
    bool m_on;
    bool m_cuda;
    bool m_wasEnabled = false;
};

}  // namespace patchout
