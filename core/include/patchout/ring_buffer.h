// Lock-free single-producer / single-consumer ring buffer of floats. The PortAudio callback is the
// producer (it must never lock or allocate); the analysis worker is the consumer.
// Thread-safety: exactly one thread calls push(), exactly one other thread calls pop()/available().
#pragma once

#include <atomic>
#include <cstddef>
#include <vector>

namespace patchout {

class SpscRingBuffer {
public:
    explicit SpscRingBuffer(std::size_t capacity);

    // Producer side. Returns how many samples fit; the rest is dropped and counted.
    std::size_t push(const float* data, std::size_t count) noexcept;
    // Consumer side. Returns how many samples were copied.
    std::size_t pop(float* out, std::size_t maxCount) noexcept;
    std::size_t available() const noexcept;

    std::size_t capacity() const noexcept { return m_buffer.size() - 1; }
    std::size_t dropped() const noexcept { return m_dropped.load(std::memory_order_relaxed); }

private:
    std::vector<float> m_buffer;
    alignas(64) std::atomic<std::size_t> m_head{0};  // next write, owned by the producer
    alignas(64) std::atomic<std::size_t> m_tail{0};  // next read, owned by the consumer
    std::atomic<std::size_t> m_dropped{0};
};

}  // namespace patchout
