package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// copyParser is the io.Writer CopyTo writes the binary COPY stream to: it cuts the stream
// into rows (a row may span writes), copies each into the current batch and hands full
// batches to dispatch.
type copyParser struct {
	dispatch func(*batch)
	fresh    func() *batch
	cur      *batch
	carry    []byte
	header   bool
	trailer  bool
}

// copySignature starts every binary COPY stream.
const copySignature = "PGCOPY\n\377\r\n\x00"

// Write consumes p; an incomplete row at its end waits for the next write.
func (p *copyParser) Write(data []byte) (int, error) {
	n := len(data)
	if len(p.carry) > 0 {
		p.carry = append(p.carry, data...)
		data = p.carry
	}
	used, err := p.parse(data)
	if err != nil {
		return 0, err
	}
	rest := data[used:]
	if len(p.carry) > 0 {
		p.carry = p.carry[:copy(p.carry, rest)]
	} else {
		p.carry = append(p.carry, rest...)
	}
	return n, nil
}

// parse consumes the header and every complete row of data and returns the bytes used.
func (p *copyParser) parse(data []byte) (int, error) {
	used := 0
	if !p.header {
		if len(data) < len(copySignature)+8 {
			return 0, nil
		}
		if string(data[:len(copySignature)]) != copySignature {
			return 0, errors.New("COPY stream: no binary header")
		}
		ext := int(binary.BigEndian.Uint32(data[len(copySignature)+4:]))
		used = len(copySignature) + 8 + ext
		if len(data) < used {
			return 0, nil
		}
		p.header = true
	}
	for used < len(data) {
		if p.trailer {
			return 0, errors.New("COPY stream: data after the trailer")
		}
		row, ok, err := rowLength(data[used:])
		if err != nil || !ok {
			return used, err
		}
		if row == 2 { // field count -1: the trailer
			p.trailer = true
			used += row
			continue
		}
		if err := p.add(data[used : used+row]); err != nil {
			return used, err
		}
		used += row
	}
	return used, nil
}

// rowLength returns the length of the row at the start of data, or ok false if data
// does not hold all of it yet.
func rowLength(data []byte) (int, bool, error) {
	if len(data) < 2 {
		return 0, false, nil
	}
	fields := int16(binary.BigEndian.Uint16(data))
	if fields == -1 {
		return 2, true, nil
	}
	if fields != 11 {
		return 0, false, fmt.Errorf("COPY stream: row with %d fields, want 11", fields)
	}
	pos := 2
	for range fields {
		if len(data) < pos+4 {
			return 0, false, nil
		}
		size := int32(binary.BigEndian.Uint32(data[pos:]))
		pos += 4
		if size > 0 {
			pos += int(size)
		}
	}
	if len(data) < pos {
		return 0, false, nil
	}
	return pos, true, nil
}

// add copies one complete row into the current batch and decodes its fields.
func (p *copyParser) add(row []byte) error {
	if p.cur != nil && (len(p.cur.entries) == cap(p.cur.entries) || len(p.cur.buf)+len(row) > cap(p.cur.buf)) {
		p.flush()
	}
	if p.cur == nil {
		p.cur = p.fresh()
		if cap(p.cur.buf) < len(row) {
			p.cur.buf = make([]byte, 0, len(row))
		}
	}
	b := p.cur
	start := len(b.buf)
	b.buf = append(b.buf, row...)
	row = b.buf[start:]
	var fields [11][]byte
	pos := 2
	for i := range fields {
		size := int32(binary.BigEndian.Uint32(row[pos:]))
		pos += 4
		if size < 0 {
			continue
		}
		fields[i] = row[pos : pos+int(size) : pos+int(size)]
		pos += int(size)
	}
	e := rawEntry{chain: fields[0], action: fields[5], objectType: fields[6], objectID: fields[7],
		details: fields[8], prevHash: fields[9], hash: fields[10]}
	for i, f := range fields {
		if f == nil && i != 3 && i != 4 {
			return fmt.Errorf("COPY stream: column %d is NULL", i)
		}
	}
	var err error
	if e.seq, _, err = int8Field(fields[1]); err != nil {
		return err
	}
	if e.micros, _, err = int8Field(fields[2]); err != nil {
		return err
	}
	if e.micros == math.MaxInt64 || e.micros == math.MinInt64 {
		return errors.New("COPY stream: infinite timestamp")
	}
	if e.actor, e.hasActor, err = int8Field(fields[3]); err != nil {
		return err
	}
	if e.tenant, e.hasTenant, err = int8Field(fields[4]); err != nil {
		return err
	}
	b.entries = append(b.entries, e)
	return nil
}

// int8Field decodes a binary bigint (or timestamptz); nil is NULL.
func int8Field(f []byte) (int64, bool, error) {
	if f == nil {
		return 0, false, nil
	}
	if len(f) != 8 {
		return 0, false, fmt.Errorf("COPY stream: 8-byte column of %d bytes", len(f))
	}
	return int64(binary.BigEndian.Uint64(f)), true, nil
}

func (p *copyParser) flush() {
	if p.cur != nil && len(p.cur.entries) > 0 {
		p.dispatch(p.cur)
	}
	p.cur = nil
}

// finish hands over the last batch once the whole stream has arrived.
func (p *copyParser) finish() error {
	if !p.header || !p.trailer || len(p.carry) > 0 {
		return errors.New("COPY stream: incomplete")
	}
	p.flush()
	return nil
}
