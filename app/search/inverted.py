"""The inverted index held in memory: a term-sorted base plus an append-only tail.

It is built once from the store's per-document term lists, then brought up to date with
each write's delta (documents added, documents removed) instead of being rebuilt. A new
version shares the base with the one before; only the tail, the live-document mask and the
document frequencies are copied, so a version in use by a search never changes under it.
The tail is folded into the base once it grows past a fraction of it.

Document ids only grow (the store never reuses one), so a term's tail postings all come
after its base postings: concatenating the two keeps ids ascending.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

Int32s = npt.NDArray[np.int32]
Int64s = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

# How a document's terms are stored: (term id, packed field frequencies) pairs of
# little-endian 32-bit integers, term ids ascending.
TERMS_DTYPE = np.dtype("<i4")
# The tail is folded into the base past this many postings, or a quarter of the base.
MIN_TAIL_TO_MERGE = 1 << 20
# Postings of deleted documents are dropped from the base past this share of it.
DEAD_SHARE_TO_COMPACT = 0.25
_LOW_32 = np.int64(0xFFFFFFFF)
# The array module's code for a 32-bit signed integer (the C int on every platform we run on)
_INT32 = "i"
assert array(_INT32).itemsize == TERMS_DTYPE.itemsize


def encode_terms(pairs: Iterable[tuple[int, int]]) -> bytes:
    """A document's (term id, packed frequencies) pairs as the store keeps them (an array
    of a few dozen pairs: the array module makes it faster than numpy)."""
    flat = array(_INT32, chain.from_iterable(sorted(pairs)))
    if sys.byteorder == "big":
        flat.byteswap()
    return flat.tobytes()


@dataclass(frozen=True, slots=True)
class DocumentTerms:
    """The postings of a batch of documents, in document order."""

    doc_ids: Int32s  # one per document, ascending
    terms: Int32s  # flat: every document's term ids in turn
    tfs: Int32s
    docs: Int32s  # flat: the document of each posting

    @classmethod
    def decode(
        cls, doc_ids: Sequence[int] | npt.NDArray[np.int64], blobs: Sequence[bytes]
    ) -> DocumentTerms:
        ids = np.asarray(doc_ids, dtype=np.int32)
        pairs = np.frombuffer(b"".join(blobs), dtype=TERMS_DTYPE).reshape(-1, 2)
        counts = np.fromiter((len(blob) // 8 for blob in blobs), dtype=np.int64, count=len(blobs))
        return cls(
            doc_ids=ids,
            terms=pairs[:, 0].astype(np.int32),
            tfs=pairs[:, 1].astype(np.int32),
            docs=np.repeat(ids, counts),
        )

    @classmethod
    def empty(cls) -> DocumentTerms:
        none = np.zeros(0, dtype=np.int32)
        return cls(none, none, none, none)

    @classmethod
    def concat(cls, parts: Sequence[DocumentTerms]) -> DocumentTerms:
        return cls(
            doc_ids=np.concatenate([part.doc_ids for part in parts]),
            terms=np.concatenate([part.terms for part in parts]),
            tfs=np.concatenate([part.tfs for part in parts]),
            docs=np.concatenate([part.docs for part in parts]),
        )


class InvertedIndex:
    """Postings per term id (documents ascending, packed field frequencies) and each term's
    number of live documents."""

    __slots__ = (
        "_base_postings",
        "_dead",
        "_df",
        "_offsets",
        "alive",
        "base_docs",
        "base_tfs",
        "tail_docs",
        "tail_terms",
        "tail_tfs",
    )

    def __init__(
        self,
        *,
        offsets: Int64s,
        base_docs: Int32s,
        base_tfs: Int32s,
        tail_terms: Int32s,
        tail_docs: Int32s,
        tail_tfs: Int32s,
        alive: Bools,
        df: Int32s,
        dead: int,
    ) -> None:
        self._offsets = offsets
        self.base_docs = base_docs
        self.base_tfs = base_tfs
        self.tail_terms = tail_terms
        self.tail_docs = tail_docs
        self.tail_tfs = tail_tfs
        self.alive = alive
        self._df = df
        self._dead = dead
        self._base_postings = len(base_docs)

    @classmethod
    def build(cls, batch: DocumentTerms, *, max_id: int) -> InvertedIndex:
        """The index of every document of `batch` (all live)."""
        alive = np.zeros(max_id + 1, dtype=np.bool_)
        alive[batch.doc_ids] = True
        offsets, docs, tfs = _term_sorted(batch.terms, batch.docs, batch.tfs)
        df = np.diff(offsets).astype(np.int32)
        none = np.zeros(0, dtype=np.int32)
        return cls(
            offsets=offsets,
            base_docs=docs,
            base_tfs=tfs,
            tail_terms=none,
            tail_docs=none,
            tail_tfs=none,
            alive=alive,
            df=df,
            dead=0,
        )

    def __len__(self) -> int:
        """Postings held, dead ones included."""
        return self._base_postings + len(self.tail_docs)

    @property
    def tail_length(self) -> int:
        return len(self.tail_docs)

    def document_frequency(self, term_id: int) -> int:
        return int(self._df[term_id]) if 0 <= term_id < len(self._df) else 0

    def postings(self, term_id: int) -> tuple[Int32s, Int64s]:
        """(live documents ascending, packed field frequencies) of one term."""
        parts_docs: list[Int32s] = []
        parts_tfs: list[Int32s] = []
        if 0 <= term_id < len(self._offsets) - 1:
            start, end = int(self._offsets[term_id]), int(self._offsets[term_id + 1])
            if end > start:
                parts_docs.append(self.base_docs[start:end])
                parts_tfs.append(self.base_tfs[start:end])
        if len(self.tail_terms):
            chosen = self.tail_terms == term_id
            if chosen.any():
                parts_docs.append(self.tail_docs[chosen])
                parts_tfs.append(self.tail_tfs[chosen])
        if not parts_docs:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
        docs = parts_docs[0] if len(parts_docs) == 1 else np.concatenate(parts_docs)
        tfs = parts_tfs[0] if len(parts_tfs) == 1 else np.concatenate(parts_tfs)
        if self._dead:
            keep = self.alive[docs]
            if not keep.all():
                docs, tfs = docs[keep], tfs[keep]
        return docs, tfs.astype(np.int64)

    def with_changes(
        self, added: DocumentTerms, removed: DocumentTerms, *, max_id: int
    ) -> InvertedIndex:
        """A new version with `added` documents (ids above every known one) and without
        `removed` ones; this version is left as it is."""
        alive = np.zeros(max(max_id + 1, len(self.alive)), dtype=np.bool_)
        alive[: len(self.alive)] = self.alive
        # Only documents this version holds count as removed (a delta may name documents
        # added and removed since, which it never saw).
        removed_known = (
            removed.doc_ids[removed.doc_ids < len(self.alive)] if len(removed.doc_ids) else None
        )
        gone_mask = np.zeros(0, dtype=np.bool_)
        if removed_known is not None and len(removed_known):
            gone_mask = self.alive[removed.docs[removed.docs < len(self.alive)]]
        alive[added.doc_ids] = True
        if removed_known is not None and len(removed_known):
            alive[removed_known] = False
        df_size = max(
            len(self._df),
            int(added.terms.max()) + 1 if len(added.terms) else 0,
        )
        df = np.zeros(df_size, dtype=np.int32)
        df[: len(self._df)] = self._df
        if len(added.terms):
            # bincount: np.add.at is an order of magnitude slower on long arrays.
            df += np.bincount(added.terms, minlength=df_size).astype(np.int32)
        dead = self._dead
        if len(gone_mask):
            known_terms = removed.terms[removed.docs < len(self.alive)][gone_mask]
            df -= np.bincount(known_terms, minlength=df_size).astype(np.int32)
            dead += int(gone_mask.sum())
        tail_terms = np.concatenate([self.tail_terms, added.terms])
        tail_docs = np.concatenate([self.tail_docs, added.docs])
        tail_tfs = np.concatenate([self.tail_tfs, added.tfs])
        return InvertedIndex(
            offsets=self._offsets,
            base_docs=self.base_docs,
            base_tfs=self.base_tfs,
            tail_terms=tail_terms,
            tail_docs=tail_docs,
            tail_tfs=tail_tfs,
            alive=alive,
            df=df,
            dead=dead,
        )

    def needs_merge(self) -> bool:
        total = len(self)
        return (
            len(self.tail_docs) > max(MIN_TAIL_TO_MERGE, self._base_postings // 4)
            or self._dead > DEAD_SHARE_TO_COMPACT * max(total, 1) + MIN_TAIL_TO_MERGE // 8
        )

    def rebased(self, before: InvertedIndex, merged: InvertedIndex) -> InvertedIndex | None:
        """This version on the base `merged` made of `before` (a version this one grew
        from, merged meanwhile in the background): its tail is what was added since; None
        when this version does not descend from `before` (another merge came first)."""
        if self.base_docs is not before.base_docs or self.tail_length < before.tail_length:
            return None
        start = before.tail_length
        return InvertedIndex(
            offsets=merged._offsets,
            base_docs=merged.base_docs,
            base_tfs=merged.base_tfs,
            tail_terms=self.tail_terms[start:],
            tail_docs=self.tail_docs[start:],
            tail_tfs=self.tail_tfs[start:],
            alive=self.alive,
            df=self._df,
            # The merge dropped the postings of the documents dead in `before`.
            dead=self._dead - before._dead,
        )

    def merged(self) -> InvertedIndex:
        """The same postings with the tail folded into the base and the dead dropped.

        The base is already in term order: only the (short) tail is sorted, and each of its
        postings is inserted at the end of its term's slice in one pass, so the merge needs
        little more memory than the new base itself."""
        base_docs, base_tfs, offsets = self.base_docs, self.base_tfs, self._offsets
        if self._dead:
            keep = self.alive[base_docs]
            if not keep.all():
                base_docs, base_tfs = base_docs[keep], base_tfs[keep]
                kept = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
                offsets = kept[offsets]
        tail_terms, tail_docs, tail_tfs = self.tail_terms, self.tail_docs, self.tail_tfs
        if len(tail_docs):
            keep = self.alive[tail_docs]
            if not keep.all():
                tail_terms, tail_docs, tail_tfs = tail_terms[keep], tail_docs[keep], tail_tfs[keep]
        size = max(len(self._df), len(offsets) - 1)
        tail_offsets, tail_docs, tail_tfs = _term_sorted(tail_terms, tail_docs, tail_tfs, size=size)
        base_counts = np.zeros(size, dtype=np.int64)
        base_counts[: len(offsets) - 1] = np.diff(offsets)
        base_offsets = np.concatenate([[0], np.cumsum(base_counts)])
        tail_counts = np.diff(tail_offsets)
        # Each tail posting goes at the end of its term's slice of the base, tail order kept.
        at = np.repeat(base_offsets[1:], tail_counts)
        merged_offsets = base_offsets + tail_offsets
        none = np.zeros(0, dtype=np.int32)
        return InvertedIndex(
            offsets=merged_offsets,
            base_docs=np.insert(base_docs, at, tail_docs),
            base_tfs=np.insert(base_tfs, at, tail_tfs),
            tail_terms=none,
            tail_docs=none,
            tail_tfs=none,
            alive=self.alive,
            df=self._df,
            dead=0,
        )


def _term_sorted(
    terms: Int32s, docs: Int32s, tfs: Int32s, *, size: int = 0
) -> tuple[Int64s, Int32s, Int32s]:
    """Postings grouped by term, keeping each term's documents in the order given (ids
    ascending); offsets[t]:offsets[t + 1] is term t's slice."""
    count = len(terms)
    # One sort of (term, position) keys: numpy sorts 64-bit integers far faster than it
    # argsorts, and the position both keeps the sort stable and says where each came from.
    keys = terms.astype(np.int64) << 32
    keys |= np.arange(count, dtype=np.int64)
    keys.sort()
    order = keys & _LOW_32
    sorted_terms = (keys >> 32).astype(np.int32)
    del keys
    term_count = max(size, int(sorted_terms[-1]) + 1 if count else 0)
    offsets = np.searchsorted(sorted_terms, np.arange(term_count + 1, dtype=np.int32)).astype(
        np.int64
    )
    return offsets, docs[order], tfs[order]
