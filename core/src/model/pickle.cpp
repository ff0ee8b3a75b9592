#include "model/pickle.h"

#include "patchout/error.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <unordered_map>

namespace patchout::pickle {

ValueArena& ValueArena::operator=(ValueArena&& other) noexcept {
    unlink();
    m_values = std::move(other.m_values);
    return *this;
}

ValuePtr ValueArena::make(Kind kind) {
    m_values.push_back(std::make_shared<Value>(kind));
    return m_values.back();
}

void ValueArena::unlink() noexcept {
    for (auto& v : m_values) {
        v->items.clear();
        v->entries.clear();
    }
    m_values.clear();
}

const Value* Value::find(const std::string& key) const {
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        if (it->first && it->first->kind == Kind::String && it->first->text == key)
            return it->second.get();
    return nullptr;
}

namespace {

class Unpickler {
public:
    Unpickler(const std::uint8_t* data, std::size_t size, const StorageCheck& check)
        : m_data(data), m_size(size), m_check(check) {}

    ValuePtr make(Kind kind) { return m_arena.make(kind); }

    Unpickled run() {
        while (true) {
            m_opStart = m_pos;
            const std::uint8_t op = u8();
            if (op == '.')  // STOP
                break;
            step(op);
        }
        if (m_stack.size() != 1)
            fail("the pickle does not end with exactly one value");
        Unpickled out;
        out.root = m_stack.back();
        m_stack.clear();
        m_memo.clear();
        out.arena = std::move(m_arena);
        out.ignored_globals.assign(m_ignored.begin(), m_ignored.end());
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorCode::BadFormat, "pickle: " + what + " (byte " + std::to_string(m_opStart) + ")");
    }
    void need(std::size_t n) const {
        if (n > m_size - m_pos)
            fail("truncated");
    }
    std::uint8_t u8() {
        need(1);
        return m_data[m_pos++];
    }
    std::uint64_t uintLe(int bytes) {
        need(static_cast<std::size_t>(bytes));
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i)
            v |= static_cast<std::uint64_t>(m_data[m_pos + i]) << (8 * i);
        m_pos += static_cast<std::size_t>(bytes);
        return v;
    }
    std::string bytes(std::uint64_t n) {
        if (n > m_size - m_pos)
            fail("truncated string");
        std::string s(reinterpret_cast<const char*>(m_data + m_pos), static_cast<std::size_t>(n));
        m_pos += static_cast<std::size_t>(n);
        return s;
    }
    std::string line() {
        const auto* begin = m_data + m_pos;
        const auto* end = static_cast<const std::uint8_t*>(std::memchr(begin, '\n', m_size - m_pos));
        if (!end || end - begin > 1024)
            fail("bad GLOBAL name");
        m_pos += static_cast<std::size_t>(end - begin) + 1;
        return {reinterpret_cast<const char*>(begin), static_cast<std::size_t>(end - begin)};
    }

    ValuePtr pop() {
        if (m_stack.empty() || (!m_marks.empty() && m_stack.size() <= m_marks.back()))
            fail("stack underflow");
        ValuePtr v = std::move(m_stack.back());
        m_stack.pop_back();
        return v;
    }
    ValuePtr& top() {
        if (m_stack.empty())
            fail("stack underflow");
        return m_stack.back();
    }
    std::vector<ValuePtr> popMark() {
        if (m_marks.empty())
            fail("no MARK");
        const std::size_t mark = m_marks.back();
        m_marks.pop_back();
        std::vector<ValuePtr> items(std::make_move_iterator(m_stack.begin() + static_cast<std::ptrdiff_t>(mark)),
                                    std::make_move_iterator(m_stack.end()));
        m_stack.resize(mark);
        return items;
    }
    void push(ValuePtr v) { m_stack.push_back(std::move(v)); }
    void pushInt(std::int64_t i) {
        auto v = make(Kind::Int);
        v->integer = i;
        push(std::move(v));
    }
    void pushText(Kind kind, std::string s) {
        auto v = make(kind);
        v->text = std::move(s);
        push(std::move(v));
    }
    void pushTuple(std::vector<ValuePtr> items) {
        auto v = make(Kind::Tuple);
        v->items = std::move(items);
        push(std::move(v));
    }
    ValuePtr opaque(const std::string& name) {
        m_ignored.insert(name);
        auto v = make(Kind::Opaque);
        v->text = name;
        return v;
    }
    void memoPut(std::uint64_t index) { m_memo[index] = top(); }
    void memoGet(std::uint64_t index) {
        auto it = m_memo.find(index);
        if (it == m_memo.end())
            fail("memo entry " + std::to_string(index) + " missing");
        push(it->second);
    }
    void setItems(const ValuePtr& target, std::vector<ValuePtr> kv) {
        if (kv.size() % 2 != 0)
            fail("odd number of dict items");
        if (target->kind == Kind::Opaque)
            return;  // items of an object we do not interpret
        if (target->kind != Kind::Dict)
            fail("SETITEMS on a non-dict");
        for (std::size_t i = 0; i < kv.size(); i += 2)
            target->entries.emplace_back(std::move(kv[i]), std::move(kv[i + 1]));
    }
    void appendItems(const ValuePtr& target, std::vector<ValuePtr> items) {
        if (target->kind == Kind::Opaque)
            return;
        if (target->kind != Kind::List)
            fail("APPEND on a non-list");
        for (auto& item : items)
            target->items.push_back(std::move(item));
    }

    static bool intOf(const ValuePtr& v, std::int64_t& out) {
        if (!v || (v->kind != Kind::Int && v->kind != Kind::Bool))
            return false;
        out = v->kind == Kind::Int ? v->integer : v->boolean;
        return true;
    }
    std::vector<std::int64_t> intTuple(const ValuePtr& v, const char* what) {
        if (!v || v->kind != Kind::Tuple)
            fail(std::string("tensor ") + what + " is not a tuple");
        std::vector<std::int64_t> out;
        for (const auto& item : v->items) {
            std::int64_t i = 0;
            if (!intOf(item, i) || i < 0)
                fail(std::string("tensor ") + what + " holds a non-integer or negative value");
            out.push_back(i);
        }
        return out;
    }

    ValuePtr rebuildTensor(const ValuePtr& args) {
        if (args->kind != Kind::Tuple || args->items.size() < 4)
            fail("_rebuild_tensor arguments");
        const ValuePtr& storage = args->items[0];
        if (storage->kind != Kind::Storage)
            fail("_rebuild_tensor without a storage");
        auto t = make(Kind::Tensor);
        t->tensor = storage->tensor;
        if (!intOf(args->items[1], t->tensor.offset) || t->tensor.offset < 0)
            fail("bad tensor storage offset");
        t->tensor.sizes = intTuple(args->items[2], "size");
        t->tensor.strides = intTuple(args->items[3], "stride");
        if (t->tensor.sizes.size() != t->tensor.strides.size() || t->tensor.sizes.size() > 16)
            fail("tensor size and stride differ in length");
        // The last element the view touches must lie inside the storage.
        constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 4;
        std::int64_t last = t->tensor.offset, numel = 1;
        for (std::size_t d = 0; d < t->tensor.sizes.size(); ++d) {
            const std::int64_t size = t->tensor.sizes[d], stride = t->tensor.strides[d];
            if (size > kMax || stride > kMax || (size > 0 && numel > kMax / size))
                fail("tensor too large");
            numel *= size;
            if (size > 0 && stride > 0 && (size - 1) > (kMax - last) / stride)
                fail("tensor too large");
            if (size > 0)
                last += (size - 1) * stride;
        }
        if (numel > 0 && last >= t->tensor.storage_numel)
            fail("tensor view reaches past its storage (" + std::to_string(last) + " >= " +
                 std::to_string(t->tensor.storage_numel) + ")");
        return t;
    }

    ValuePtr reduce(const ValuePtr& callable, const ValuePtr& args) {
        if (callable->kind != Kind::Global)
            return opaque(callable->kind == Kind::Opaque ? callable->text : "<call>");
        const std::string& name = callable->text;
        if (name == "collections.OrderedDict") {
            auto d = make(Kind::Dict);
            if (args->kind == Kind::Tuple && args->items.size() == 1 && args->items[0]->kind == Kind::List)
                for (const auto& pair : args->items[0]->items)
                    if (pair->kind == Kind::Tuple && pair->items.size() == 2)
                        d->entries.emplace_back(pair->items[0], pair->items[1]);
            return d;
        }
        if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor")
            return rebuildTensor(args);
        if (name == "torch._utils._rebuild_parameter") {
            if (args->kind != Kind::Tuple || args->items.empty() || args->items[0]->kind != Kind::Tensor)
                fail("_rebuild_parameter without a tensor");
            return args->items[0];
        }
        return opaque(name);
    }

    void persistentId(const ValuePtr& pid) {
        // ('storage', storage_type, key, location, numel)
        if (pid->kind != Kind::Tuple || pid->items.size() != 5 || pid->items[0]->kind != Kind::String ||
            pid->items[0]->text != "storage")
            fail("unknown persistent id");
        const auto& type = pid->items[1];
        const auto& key = pid->items[2];
        std::int64_t numel = 0;
        const auto dtype = type->kind == Kind::Global ? dtypeOfStorage(type->text) : std::nullopt;
        if (!dtype)
            fail("unsupported storage type " + (type->kind == Kind::Global ? type->text : std::string("?")));
        if (key->kind != Kind::String || key->text.empty() || key->text.size() > 64 ||
            key->text.find_first_of("/\\.") != std::string::npos)
            fail("bad storage key");
        if (!intOf(pid->items[4], numel) || numel < 0)
            fail("bad storage size");
        // A bound that keeps numel x element size far from overflowing (2^48 bytes, 256 TiB).
        if (static_cast<std::uint64_t>(numel) > (std::uint64_t{1} << 48) / elementSize(*dtype))
            fail("storage too large (" + std::to_string(numel) + " elements)");
        // The location (e.g. "cuda:0") is ignored: every tensor is loaded onto the CPU.
        if (m_check)
            m_check(key->text, *dtype, numel);
        auto s = make(Kind::Storage);
        s->tensor.storage_key = key->text;
        s->tensor.dtype = *dtype;
        s->tensor.storage_numel = numel;
        push(std::move(s));
    }

    void step(std::uint8_t op) {
        switch (op) {
        case 0x80: u8(); break;                          // PROTO
        case 0x95: uintLe(8); break;                     // FRAME
        case '(': m_marks.push_back(m_stack.size()); break;  // MARK
        case 'N': push(make(Kind::None)); break;
        case 0x88: case 0x89: {                          // NEWTRUE, NEWFALSE
            auto v = make(Kind::Bool);
            v->boolean = op == 0x88;
            push(std::move(v));
            break;
        }
        case 'J': pushInt(static_cast<std::int32_t>(uintLe(4))); break;  // BININT
        case 'K': pushInt(static_cast<std::int64_t>(uintLe(1))); break;  // BININT1
        case 'M': pushInt(static_cast<std::int64_t>(uintLe(2))); break;  // BININT2
        case 0x8a: case 0x8b: {                          // LONG1, LONG4
            const std::uint64_t n = uintLe(op == 0x8a ? 1 : 4);
            if (n > 8)
                fail("integer wider than 64 bits");
            std::uint64_t v = n ? uintLe(static_cast<int>(n)) : 0;
            if (n > 0 && n < 8 && (v >> (8 * n - 1)) & 1)
                v |= ~std::uint64_t{0} << (8 * n);  // sign-extend
            pushInt(static_cast<std::int64_t>(v));
            break;
        }
        case 'G': {                                      // BINFLOAT, big-endian
            need(8);
            std::uint64_t bits = 0;
            for (int i = 0; i < 8; ++i)
                bits = (bits << 8) | m_data[m_pos + static_cast<std::size_t>(i)];
            m_pos += 8;
            auto v = make(Kind::Float);
            std::memcpy(&v->real, &bits, sizeof bits);
            push(std::move(v));
            break;
        }
        case 'X': pushText(Kind::String, bytes(uintLe(4))); break;  // BINUNICODE
        case 0x8c: pushText(Kind::String, bytes(uintLe(1))); break; // SHORT_BINUNICODE
        case 0x8d: pushText(Kind::String, bytes(uintLe(8))); break; // BINUNICODE8
        case 'T': pushText(Kind::String, bytes(uintLe(4))); break;  // BINSTRING
        case 'U': pushText(Kind::String, bytes(uintLe(1))); break;  // SHORT_BINSTRING
        case 'B': pushText(Kind::Bytes, bytes(uintLe(4))); break;   // BINBYTES
        case 'C': pushText(Kind::Bytes, bytes(uintLe(1))); break;   // SHORT_BINBYTES
        case 0x8e: pushText(Kind::Bytes, bytes(uintLe(8))); break;  // BINBYTES8
        case ')': pushTuple({}); break;                  // EMPTY_TUPLE
        case 0x85: case 0x86: case 0x87: {               // TUPLE1..3
            std::vector<ValuePtr> items(static_cast<std::size_t>(op - 0x84));
            for (auto it = items.rbegin(); it != items.rend(); ++it)
                *it = pop();
            pushTuple(std::move(items));
            break;
        }
        case 't': pushTuple(popMark()); break;           // TUPLE
        case ']': push(make(Kind::List)); break;         // EMPTY_LIST
        case 'l': {                                      // LIST
            auto v = make(Kind::List);
            v->items = popMark();
            push(std::move(v));
            break;
        }
        case '}': push(make(Kind::Dict)); break;         // EMPTY_DICT
        case 'd': {                                      // DICT
            auto v = make(Kind::Dict);
            setItems(v, popMark());
            push(std::move(v));
            break;
        }
        case 0x8f: push(opaque("builtins.set")); break;  // EMPTY_SET
        case 0x90: {                                     // ADDITEMS
            popMark();
            if (top()->kind != Kind::Opaque)
                fail("ADDITEMS on a non-set");
            break;
        }
        case 0x91: popMark(); push(opaque("builtins.frozenset")); break;  // FROZENSET
        case 'a': {                                      // APPEND
            auto item = pop();
            appendItems(top(), {std::move(item)});
            break;
        }
        case 'e': {                                      // APPENDS
            auto items = popMark();
            appendItems(top(), std::move(items));
            break;
        }
        case 's': {                                      // SETITEM
            auto value = pop();
            auto key = pop();
            setItems(top(), {std::move(key), std::move(value)});
            break;
        }
        case 'u': {                                      // SETITEMS
            auto kv = popMark();
            setItems(top(), std::move(kv));
            break;
        }
        case 'q': memoPut(uintLe(1)); break;             // BINPUT
        case 'r': memoPut(uintLe(4)); break;             // LONG_BINPUT
        case 0x94: memoPut(m_memo.size()); break;        // MEMOIZE
        case 'h': memoGet(uintLe(1)); break;             // BINGET
        case 'j': memoGet(uintLe(4)); break;             // LONG_BINGET
        case '0': pop(); break;                          // POP
        case '1': popMark(); break;                      // POP_MARK
        case '2': push(top()); break;                    // DUP
        case 'c': {                                      // GLOBAL
            std::string module = line();
            std::string name = line();
            pushText(Kind::Global, module + "." + name);
            break;
        }
        case 0x93: {                                     // STACK_GLOBAL
            auto name = pop();
            auto module = pop();
            if (name->kind != Kind::String || module->kind != Kind::String)
                fail("STACK_GLOBAL needs two strings");
            pushText(Kind::Global, module->text + "." + name->text);
            break;
        }
        case 'R': {                                      // REDUCE
            auto args = pop();
            auto callable = pop();
            push(reduce(callable, args));
            break;
        }
        case 0x81: {                                     // NEWOBJ
            auto args = pop();
            auto cls = pop();
            if (cls->kind == Kind::Global && cls->text == "collections.OrderedDict")
                push(make(Kind::Dict));
            else
                push(opaque(cls->kind == Kind::Global ? cls->text : "<object>"));
            break;
        }
        case 0x92: {                                     // NEWOBJ_EX
            pop();
            pop();
            auto cls = pop();
            push(opaque(cls->kind == Kind::Global ? cls->text : "<object>"));
            break;
        }
        case 'b': pop(); top(); break;                   // BUILD: object state is not interpreted
        case 'Q': persistentId(pop()); break;            // BINPERSID
        default: {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02x", op);
            fail(std::string("unsupported opcode ") + hex);
        }
        }
    }

    const std::uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
    std::size_t m_opStart = 0;
    const StorageCheck& m_check;
    ValueArena m_arena;  // first: on an exception it unlinks what the stack and memo still hold
    std::vector<ValuePtr> m_stack;
    std::vector<std::size_t> m_marks;
    std::unordered_map<std::uint64_t, ValuePtr> m_memo;
    std::set<std::string> m_ignored;
};

}  // namespace

Unpickled unpickle(const std::uint8_t* data, std::size_t size, const StorageCheck& checkStorage) {
    return Unpickler(data, size, checkStorage).run();
}

}  // namespace patchout::pickle
