"""Compiled scoring of one question against every page, with numba.

The ranker's formula (see :func:`answerer.rank.rank`) reads a few columns of three
CSC matrices and combines them per page. Written with numpy, that takes some
sixty array calls per question, each with its own overhead, and most of the
time goes to the calls rather than to the arithmetic. Here each step is one
loop over the stored entries of the question's columns, compiled once and
cached on disk by numba, and the whole question is one call.

The functions take plain arrays, so they never see the model objects, and they
release the GIL, so that the webhook's threads can score at the same time.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path

import numba
import numpy as np

logger = logging.getLogger(__name__)


def _probe() -> int:
    return 0


def ensure_cache_location() -> None:
    """Give numba a cache folder when it has none it can write.

    numba caches compiled code beside this file, or in the user's cache folder
    when that is read-only, or in ``NUMBA_CACHE_DIR``. A service user that can
    write none of them (an installed package, HOME unwritable) would otherwise
    fail at import with "no locator available". The folder is then
    ``cityline-numba-UID`` in the system's temporary folder. It is used only when
    this user owns it and no one else can write it, so that no other user can
    plant compiled code in it. Otherwise each process compiles into a new private
    folder, deleted at exit.
    """
    try:
        numba.njit(cache=True)(_probe)
        return
    except RuntimeError:
        pass
    folder, kept = _private_folder()
    numba.config.CACHE_DIR = str(folder)
    logger.log(
        logging.INFO if kept else logging.WARNING,
        "numba cannot write its cache beside %s or in the user's cache folder; "
        "caching compiled code in %s%s",
        Path(__file__).parent,
        folder,
        ""
        if kept
        else " for this process only (set NUMBA_CACHE_DIR to a "
        "writable folder to keep it)",
    )


def _private_folder() -> tuple[Path, bool]:
    """Return a cache folder only this user can write, and whether it is kept
    across processes (the shared temporary folder's ``cityline-numba-UID``)."""
    uid = os.getuid()
    folder = Path(tempfile.gettempdir()) / f"cityline-numba-{uid}"
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError:
        return _folder_for_this_process(), False
    info = os.lstat(folder)
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != uid
        or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    ):
        return _folder_for_this_process(), False
    return folder, True


def _folder_for_this_process() -> Path:
    """Return a new private cache folder, deleted when the process exits."""
    folder = Path(tempfile.mkdtemp(prefix="cityline-numba-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


ensure_cache_location()

# Compiled code is cached on disk (see ensure_cache_location), so only the first
# process after an install compiles it.
_JIT = {"cache": True, "nogil": True}


@numba.njit(**_JIT)
def column_sums(indptr, indices, data, columns, weights, rows):
    """Return ``matrix[:, columns] @ weights`` as a float64 array of ``rows``."""
    out = np.zeros(rows)
    for position in range(len(columns)):
        column = columns[position]
        weight = np.float64(weights[position])
        for entry in range(indptr[column], indptr[column + 1]):
            out[indices[entry]] += np.float64(data[entry]) * weight
    return out


@numba.njit(**_JIT)
def term_reach_sums(
    indptr, indices, data, columns, weights, idf, reach_weights, entry_reach, rows
):
    """Return each row's term cosine, the idf sum of the columns it contains,
    and its window reach.

    ``weights`` are the question's unit-length term weights and ``idf`` the idf of
    each column, so the second array divided by the question's idf total is the
    coverage. ``entry_reach`` holds, for every stored entry of the term matrix,
    the largest value of that term in the windows of that entry's page (see
    :func:`answerer.rank.entry_window_maxima`); empty, it gives no reach. The
    reach is the sum over the columns of ``reach_weights`` times those values:
    no window of the page can score more. It is taken in the same pass over the
    entries as the term cosine.
    """
    score = np.zeros(rows)
    found = np.zeros(rows)
    reach = np.zeros(rows)
    with_reach = len(entry_reach) > 0
    for position in range(len(columns)):
        column = columns[position]
        weight = np.float64(weights[position])
        column_idf = np.float64(idf[position])
        reach_weight = np.float64(reach_weights[position])
        for entry in range(indptr[column], indptr[column + 1]):
            row = indices[entry]
            score[row] += np.float64(data[entry]) * weight
            found[row] += column_idf
            if with_reach and reach_weight > 0.0:
                reach[row] += np.float64(entry_reach[entry]) * reach_weight
    return score, found, reach


@numba.njit(**_JIT)
def best_windows(indptr, indices, data, columns, weights, window_pages, windows, pages):
    """Return each page's best window score and that window's row.

    Window scores are summed over the question's window columns. A page whose
    windows match nothing gets score 0 and row -1. Of equal scores the lowest
    row wins, as with ``argmax`` over the page's windows.
    """
    scores = np.zeros(windows)
    touched = np.empty(_entry_count(indptr, columns), dtype=np.int64)
    count = 0
    for position in range(len(columns)):
        column = columns[position]
        weight = np.float64(weights[position])
        for entry in range(indptr[column], indptr[column + 1]):
            window = indices[entry]
            value = np.float64(data[entry]) * weight
            if value <= 0.0:
                continue
            if scores[window] == 0.0:
                touched[count] = window
                count += 1
            scores[window] += value
    best = np.zeros(pages)
    best_row = np.full(pages, -1, dtype=np.int64)
    for item in range(count):
        window = touched[item]
        page = window_pages[window]
        score = scores[window]
        if score > best[page] or (score == best[page] and window < best_row[page]):
            best[page] = score
            best_row[page] = window
    return best, best_row


@numba.njit(**_JIT)
def _entry_count(indptr, columns):
    total = 0
    for column in columns:
        total += indptr[column + 1] - indptr[column]
    return total


@numba.njit(**_JIT)
def coverage_power(found, idf_total, exponent):
    """Return each page's coverage ``found / idf_total`` and coverage ** exponent.

    The power is 1 everywhere when ``exponent`` is 0, and an exponent of 0.5 is
    taken as a square root, as numpy's ``power`` does.
    """
    pages = len(found)
    coverage = np.zeros(pages)
    power = np.ones(pages) if exponent == 0.0 else np.zeros(pages)
    if idf_total <= 0.0:
        return coverage, power
    for page in range(pages):
        share = found[page] / idf_total
        coverage[page] = share
        if exponent == 0.0 or share == 0.0:
            continue
        power[page] = np.sqrt(share) if exponent == 0.5 else share**exponent
    return coverage, power


@numba.njit(**_JIT)
def combine(term, window, chars, power, listing, passage_weight, char_weight):
    """Return the page scores from the per-page channel arrays.

    score = ((1 - a) * ((1 - p) * term + p * window) + a * chars) * power * listing,
    where power is coverage ** b (see :func:`coverage_power`).
    """
    scores = np.empty(len(term))
    for page in range(len(term)):
        scores[page] = _one_score(
            term, window, chars, power, listing, passage_weight, char_weight, page
        )
    return scores


@numba.njit(**_JIT)
def _one_score(term, window, chars, power, listing, passage_weight, char_weight, page):
    blend = (1.0 - passage_weight) * term[page] + passage_weight * window[page]
    score = (1.0 - char_weight) * blend + char_weight * chars[page]
    return score * power[page] * listing[page]


@numba.njit(**_JIT)
def top_rows(scores, count):
    """Return the rows of the ``count`` highest scores, best first, ties by row."""
    count = min(count, len(scores))
    chosen = np.empty(count, dtype=np.int64)
    if count == 0:
        return chosen
    filled = 0
    # The lowest score chosen so far, once ``count`` rows are chosen: a row
    # enters only above it, so most rows cost one comparison.
    floor = -np.inf
    for row in range(len(scores)):
        score = scores[row]
        if filled == count and not score > floor:
            continue
        if filled < count:
            place = filled
            filled += 1
        else:
            place = count - 1
        while place > 0 and scores[chosen[place - 1]] < score:
            chosen[place] = chosen[place - 1]
            place -= 1
        chosen[place] = row
        if filled == count:
            floor = scores[chosen[count - 1]]
    return chosen


def code_table(char_codes: np.ndarray) -> tuple[np.ndarray, int]:
    """Return a hash table of the columns of ``char_codes`` and its shift, for
    :func:`find_code`.

    The table has a power of two entries, at least twice as many as there are
    codes, and -1 marks an empty entry. Each code sits at its
    :func:`_code_slot`, or at the first empty entry after it.
    """
    size = 2
    while size < 2 * len(char_codes):
        size *= 2
    shift = 64 - (size.bit_length() - 1)
    return _fill_code_table(char_codes, size, shift), shift


@numba.njit(**_JIT)
def _fill_code_table(char_codes, size, shift):
    table = np.full(size, -1, dtype=np.int32)
    for column in range(len(char_codes)):
        slot = _code_slot(char_codes[column], shift)
        while table[slot] >= 0:
            slot = (slot + 1) & (size - 1)
        table[slot] = column
    return table


@numba.njit(**_JIT)
def _code_slot(code, shift):
    # Fibonacci hashing: the top bits of the product with 2**64 / golden ratio.
    product = np.uint64(code) * np.uint64(0x9E3779B97F4A7C15)
    return np.int64(product >> np.uint64(shift))


@numba.njit(**_JIT)
def find_code(table, shift, char_codes, code):
    """Return the column of n-gram ``code`` in ``char_codes``, or -1.

    ``table`` and ``shift`` are :func:`code_table` of ``char_codes``. A binary
    search of the about 77,000 codes (600 KB) of the city mirror reads about 17 of
    them, and this mostly reads one table entry and one code.
    """
    size = len(table)
    slot = _code_slot(code, shift)
    while True:
        column = table[slot]
        if column < 0 or char_codes[column] == code:
            return column
        slot = (slot + 1) & (size - 1)


@numba.njit(**_JIT)
def question_grams(points, char_codes, char_idf, table, shift, code_bits):
    """Return the question's indexed n-grams: columns, weights, idf, first positions.

    ``points`` are the code points of the normalised question, and
    ``char_codes`` the sorted n-gram codes of the index, with ``table`` and
    ``shift`` their :func:`code_table`. The question's codes
    are made as :func:`index.vectorize.ngram_codes` makes them: its 2-grams in
    order, then its 3-grams. Each distinct indexed code gives its column, its
    sublinear tf times idf weight (the vector has unit length), its idf, and the
    position of its first occurrence among those codes. They come in ascending
    code order, as ``np.unique`` would list them.
    """
    codes = _ngram_codes(points, code_bits)
    order = np.argsort(codes, kind="mergesort")
    size = len(codes)
    columns = np.empty(size, dtype=np.int64)
    weights = np.empty(size, dtype=np.float64)
    idf = np.empty(size, dtype=char_idf.dtype)
    firsts = np.empty(size, dtype=np.int64)
    found = 0
    start = 0
    while start < size:
        code = codes[order[start]]
        end = start + 1
        while end < size and codes[order[end]] == code:
            end += 1
        column = find_code(table, shift, char_codes, code)
        if column >= 0:
            columns[found] = column
            idf[found] = char_idf[column]
            weights[found] = (1.0 + np.log(end - start)) * idf[found]
            firsts[found] = order[start]
            found += 1
        start = end
    norm = np.sqrt(np.sum(weights[:found] ** 2))
    if norm == 0.0:
        norm = 1.0
    return (
        columns[:found].copy(),
        (weights[:found] / norm).astype(np.float32),
        idf[:found].copy(),
        firsts[:found].copy(),
    )


@numba.njit(**_JIT)
def passage_weights(points, starts, ends, codes, lookup, values, code_bits):
    """Return each passage's sum of ``values`` of the n-grams it contains.

    ``points`` are the code points of the passages' text, passage ``p`` spanning
    ``points[starts[p]:ends[p]]``. ``codes`` are the n-gram codes of
    :func:`index.vectorize.ngram_codes` (``code_bits`` bits per character),
    ``lookup`` is :func:`gram_lookup` of them and ``values`` their weights. Each
    n-gram counts once per passage, and each sum adds the values in the order of
    ``codes``, so passages with the same n-grams get the same float.
    """
    present = grams_present(points, starts, ends, codes, lookup, code_bits)
    totals = np.zeros(len(starts))
    for passage in range(len(starts)):
        total = 0.0
        for gram in range(len(codes)):
            if present[passage, gram]:
                total += values[gram]
        totals[passage] = total
    return totals


@numba.njit(**_JIT)
def uncommon_grams(idf, columns, char_codes, min_idf, code_bits):
    """Return the values, codes and :func:`gram_lookup` of the question n-grams
    whose ``idf`` reaches ``min_idf``, or of all of them when none does.

    ``columns`` are the n-grams' columns, whose codes ``char_codes`` lists, and
    the values are their idf as float64.
    """
    keep = idf >= min_idf
    if not keep.any():
        keep[:] = True
    values = idf[keep].astype(np.float64)
    codes = char_codes[columns[keep]]
    return values, codes, gram_lookup(codes, code_bits)


@numba.njit(**_JIT)
def gram_lookup(codes, code_bits):
    """Return (order, ordered, heads) for finding the n-grams ``codes`` in text.

    ``ordered`` is ``codes`` sorted and ``order`` the position in ``codes`` of
    each. The n-grams that start with the same two characters are one run of
    ``ordered``, with the 2-gram last. ``heads`` has _HEAD_SLOTS entries,
    indexed by :func:`_head_slot` of two characters. An entry is the start in
    ``ordered`` of the one run whose first two characters fall in that slot,
    -1 when no run does, and -2 when more than one run does.
    """
    mask = (np.int64(1) << code_bits) - 1
    order = np.argsort(codes)
    ordered = codes[order]
    heads = np.full(_HEAD_SLOTS, -1, dtype=np.int64)
    for place in range(len(ordered)):
        code = ordered[place]
        slot = _head_slot(code >> (2 * code_bits), (code >> code_bits) & mask)
        run_start = heads[slot]
        if run_start == -1:
            heads[slot] = place
        elif run_start >= 0 and (ordered[run_start] >> code_bits) != (
            code >> code_bits
        ):
            heads[slot] = -2
    return order, ordered, heads


_HEAD_SLOTS = 2048


@numba.njit(**_JIT)
def _head_slot(first, second):
    return (first * 31 + second) & (_HEAD_SLOTS - 1)


@numba.njit(**_JIT)
def grams_present(points, starts, ends, codes, lookup, code_bits):
    """Return a passages x ``codes`` matrix: does the passage contain the n-gram.

    The arguments are those of :func:`passage_weights`.
    """
    order, ordered, heads = lookup
    grams = len(codes)
    passages = len(starts)
    present = np.zeros((passages, grams), dtype=np.bool_)
    if grams == 0:
        return present
    mask = (np.int64(1) << code_bits) - 1
    for passage in range(passages):
        end = ends[passage]
        for position in range(starts[passage], end - 1):
            first = np.int64(points[position])
            second = np.int64(points[position + 1])
            place = heads[_head_slot(first, second)]
            # Most text positions start no question n-gram and stop here.
            if place == -1:
                continue
            head = (first << code_bits) | second
            if place == -2:
                place = np.searchsorted(ordered, head << code_bits)
            # Past the passage's end only a 2-gram, whose last place is the
            # mask (no code point), can match.
            third = np.int64(points[position + 2]) if position + 2 < end else mask
            while place < grams and (ordered[place] >> code_bits) == head:
                last = ordered[place] & mask
                if last == mask or last == third:
                    present[passage, order[place]] = True
                place += 1
    return present


@numba.njit(**_JIT)
def _specific(columns, weights, idf, min_idf):
    """Return the columns and weights whose idf reaches ``min_idf``."""
    keep = idf >= min_idf
    return columns[keep], weights[keep]


@numba.njit(**_JIT)
def score_question(
    term_matrix,
    term_columns,
    term_weights,
    term_idf,
    window_matrix,
    window_pages,
    char_matrix,
    char_columns,
    char_weights,
    char_idf,
    listing,
    idf_total,
    min_term_idf,
    min_char_idf,
    passage_weight,
    char_weight,
    coverage_exponent,
    top,
    window_bounds,
    bound_entries,
):
    """Score every page for one question in one call; see :func:`answerer.rank.rank`.

    Each matrix is a tuple ``(indptr, indices, data, rows)`` of a CSC matrix.
    N-gram columns whose idf is below ``min_char_idf``, and window columns whose
    idf is below ``min_term_idf``, are left out of the n-gram and window parts.
    Returns the scores, the coverage, the row of each page's best window (-1:
    none, or windows not scored when ``passage_weight`` is 0) and the rows of
    the ``top`` best pages, best first.

    When the question's window columns hold at least ``bound_entries`` entries,
    only the windows of pages that can reach the ``top`` best are scored (see
    :func:`bounded_windows`, which also says what ``window_bounds`` is). The
    other pages' scores then leave the window part out, which can only lower
    them, so the ``top`` best pages, their order and their scores are the same
    either way.
    """
    pages = term_matrix[3]
    columns, weights = _specific(char_columns, char_weights, char_idf, min_char_idf)
    chars = column_sums(
        char_matrix[0], char_matrix[1], char_matrix[2], columns, weights, pages
    )
    window_columns, window_weights = _specific(
        term_columns, term_weights, term_idf, min_term_idf
    )
    bounded = (
        passage_weight != 0.0
        and _entry_count(window_matrix[0], window_columns) >= bound_entries
    )
    entry_reach = window_bounds[0] if bounded else window_bounds[0][:0]
    reach_weights = np.where(term_idf >= min_term_idf, term_weights, 0.0)
    term, found, reach = term_reach_sums(
        term_matrix[0],
        term_matrix[1],
        term_matrix[2],
        term_columns,
        term_weights,
        term_idf,
        reach_weights,
        entry_reach,
        pages,
    )
    coverage, power = coverage_power(found, idf_total, coverage_exponent)
    parts = (term, chars, power, listing, passage_weight, char_weight)
    if bounded:
        best_row, scores, rows = bounded_windows(
            window_matrix,
            window_columns,
            window_weights,
            window_bounds,
            parts,
            top,
            reach,
        )
        return scores, coverage, best_row, rows
    if passage_weight != 0.0:
        window, best_row = best_windows(
            window_matrix[0],
            window_matrix[1],
            window_matrix[2],
            window_columns,
            window_weights,
            window_pages,
            window_matrix[3],
            pages,
        )
    else:
        window = np.zeros(pages)
        best_row = np.full(pages, -1, dtype=np.int64)
    scores = combine(term, window, chars, power, listing, passage_weight, char_weight)
    return scores, coverage, best_row, top_rows(scores, top)


@numba.njit(**_JIT)
def choose_passage(
    points, starts, ends, codes, lookup, values, code_bits, low, high, prefer, boosts
):
    """Return the passage with the most n-gram weight, and where to cut it.

    The arguments up to ``code_bits`` are those of :func:`passage_weights`. Each
    passage's total is multiplied by its entry in ``boosts``. The first passage
    with the largest positive total wins. The first best of
    passages ``low`` to ``high`` (exclusive) wins instead when ``prefer`` times
    its total reaches that. Returns (-1, 0) when no passage contains an n-gram,
    else the passage and the offset in it of the first occurrence of its
    heaviest n-gram (of equal weights, the n-gram whose text sorts last).
    """
    present = grams_present(points, starts, ends, codes, lookup, code_bits)
    best, best_total = -1, 0.0
    local, local_total = -1, 0.0
    for passage in range(len(starts)):
        total = 0.0
        for gram in range(len(codes)):
            if present[passage, gram]:
                total += values[gram]
        total *= boosts[passage]
        if total > best_total:
            best, best_total = passage, total
        if low <= passage < high and total > local_total:
            local, local_total = passage, total
    if local >= 0 and local_total * prefer >= best_total:
        best = local
    if best < 0:
        return -1, 0
    anchor = -1
    for gram in range(len(codes)):
        if not present[best, gram]:
            continue
        if (
            anchor < 0
            or values[gram] > values[anchor]
            or (
                values[gram] == values[anchor]
                and _text_after(codes[gram], codes[anchor], code_bits)
            )
        ):
            anchor = gram
    return best, _first_offset(
        points, starts[best], ends[best], codes[anchor], code_bits
    )


@numba.njit(**_JIT)
def _text_after(code, other, code_bits):
    """Tell whether n-gram ``code`` spells a text that sorts after ``other``'s."""
    mask = (np.int64(1) << code_bits) - 1
    for shift in (2 * code_bits, code_bits):
        left, right = (code >> shift) & mask, (other >> shift) & mask
        if left != right:
            return left > right
    # A 2-gram's last place is the mask. It sorts before any 3-gram that it
    # starts, as the shorter string sorts first.
    left, right = code & mask, other & mask
    if left == mask or right == mask:
        return right == mask and left != mask
    return left > right


@numba.njit(**_JIT)
def _first_offset(points, start, end, code, code_bits):
    """Return the offset from ``start`` of the first occurrence of n-gram ``code``."""
    mask = (np.int64(1) << code_bits) - 1
    trigram = (code & mask) != mask
    for position in range(start, end - 1):
        head = (np.int64(points[position]) << (2 * code_bits)) | (
            np.int64(points[position + 1]) << code_bits
        )
        if not trigram and (head | mask) == code:
            return position - start
        if (
            trigram
            and position + 2 < end
            and (head | np.int64(points[position + 2])) == code
        ):
            return position - start
    return 0


@numba.njit(**_JIT)
def _ngram_codes(points, code_bits):
    length = len(points)
    if length < 2:
        return np.zeros(0, dtype=np.int64)
    no_char = (np.int64(1) << code_bits) - 1
    codes = np.empty(2 * length - 3, dtype=np.int64)
    for position in range(length - 1):
        head = (np.int64(points[position]) << (2 * code_bits)) | (
            np.int64(points[position + 1]) << code_bits
        )
        codes[position] = head | no_char
        if position + 2 < length:
            codes[length - 1 + position] = head | np.int64(points[position + 2])
    return codes


@numba.njit(**_JIT)
def bounded_windows(window_matrix, columns, weights, window_bounds, parts, top, reach):
    """Return each page's best window row, the page scores and the rows of the
    ``top`` best, scoring only the windows of pages that can reach them.

    ``window_bounds`` is (the largest value of each term matrix entry's term in
    the windows of its page, first window row of each page, end of its window
    rows), ``parts`` the other inputs of :func:`combine` (term, chars, power,
    listing, passage_weight, char_weight), and ``reach`` each page's reach from
    :func:`term_reach_sums`.

    A page's best window score is at most its reach: the sum over the columns of
    the weight times the column's largest value in the page's windows. Each page
    gets a lower score (window part 0) and an upper one (window part = reach).
    The windows of the ``4 * top`` pages of highest upper score are scored
    first, which gives their true scores. The ``top``-th best of those and of
    the lower scores is then a threshold that ``top`` pages reach. Every other
    page whose upper score reaches it, and whose reach is positive, is scored
    next. The rest get window score 0 and row -1: they cannot be among the
    ``top`` best.
    """
    _, starts, ends = window_bounds
    term, chars, power, listing, passage_weight, char_weight = parts
    pages = len(term)
    # The margin covers the rounding of the float32 products in both sums.
    reach = reach * (1.0 + 1e-5)
    best = np.zeros(pages)
    best_row = np.full(pages, -1, dtype=np.int64)
    scores = combine(term, best, chars, power, listing, passage_weight, char_weight)
    upper = combine(term, reach, chars, power, listing, passage_weight, char_weight)
    for page in top_rows(upper, 4 * top):
        if reach[page] > 0.0:
            _score_page_windows(
                window_matrix, columns, weights, starts, ends, page, best, best_row
            )
            scores[page] = _one_score(
                term, best, chars, power, listing, passage_weight, char_weight, page
            )
    rows = top_rows(scores, top)
    threshold = scores[rows[top - 1]] if pages > top else -np.inf
    rescored = False
    for page in range(pages):
        if best_row[page] >= 0 or reach[page] <= 0.0 or upper[page] < threshold:
            continue
        _score_page_windows(
            window_matrix, columns, weights, starts, ends, page, best, best_row
        )
        scores[page] = _one_score(
            term, best, chars, power, listing, passage_weight, char_weight, page
        )
        rescored = True
    if rescored:
        rows = top_rows(scores, top)
    return best_row, scores, rows


@numba.njit(**_JIT)
def _score_page_windows(
    window_matrix, columns, weights, starts, ends, page, best, best_row
):
    """Score the windows of one page; set its best window score and row.

    Within a column the window rows ascend, so the page's entries of each column
    are found by binary search. Entries are added column after column, as in
    :func:`best_windows`, so the page gets the same float.
    """
    indptr, indices, data = window_matrix[0], window_matrix[1], window_matrix[2]
    start, end = starts[page], ends[page]
    if end <= start:
        return
    scores = np.zeros(end - start)
    for position in range(len(columns)):
        column = columns[position]
        weight = np.float64(weights[position])
        first, last = indptr[column], indptr[column + 1]
        entry = first + np.searchsorted(indices[first:last], start)
        while entry < last and indices[entry] < end:
            value = np.float64(data[entry]) * weight
            if value > 0.0:
                scores[indices[entry] - start] += value
            entry += 1
    for window in range(end - start):
        if scores[window] > best[page]:
            best[page] = scores[window]
            best_row[page] = start + window
