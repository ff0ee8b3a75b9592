#include "patchout/ring_buffer.h"

#include <algorithm>

namespace patchout {

SpscRingBuffer::SpscRingBuffer(std::size_t capacity) : m_buffer(capacity + 1) {}

std::size_t SpscRingBuffer::push(const float* data, std::size_t count) noexcept {
    const std::size_t size = m_buffer.size();
    const std::size_t head = m_head.load(std::memory_order_relaxed);
    const std::size_t tail = m_tail.load(std::memory_order_acquire);
    const std::size_t freeSpace = (tail + size - head - 1) % size;
    const std::size_t n = std::min(count, freeSpace);
    const std::size_t first = std::min(n, size - head);
    std::copy_n(data, first, m_buffer.data() + head);
    std::copy_n(data + first, n - first, m_buffer.data());
    m_head.store((head + n) % size, std::memory_order_release);
    if (n < count)
        m_dropped.fetch_add(count - n, std::memory_order_relaxed);
    return n;
}

std::size_t SpscRingBuffer::pop(float* out, std::size_t maxCount) noexcept {
    const std::size_t size = m_buffer.size();
    const std::size_t tail = m_tail.load(std::memory_order_relaxed);
    const std::size_t head = m_head.load(std::memory_order_acquire);
    const std::size_t n = std::min(maxCount, (head + size - tail) % size);
    const std::size_t first = std::min(n, size - tail);
    std::copy_n(m_buffer.data() + tail, first, out);
    std::copy_n(m_buffer.data(), n - first, out + first);
    m_tail.store((tail + n) % size, std::memory_order_release);
    return n;
}

std::size_t SpscRingBuffer::available() const noexcept {
    const std::size_t size = m_buffer.size();
    return (m_head.load(std::memory_order_acquire) + size -
            m_tail.load(std::memory_order_relaxed)) % size;
}

}  // namespace patchout
