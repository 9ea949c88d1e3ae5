"""Slugs of non-Latin titles and headings: ASCII by default, spelled as their language reads
them (app/parsing/transliteration.py); the letters of every script in "unicode" mode."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.parsing import parse_article
from app.parsing.slugs import MAX_SLUG_LENGTH, SlugAllocator, SlugMode, path_segment, slug_for

ASCII_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# (text, language the article is in, expected ASCII slug)
TRANSLITERATIONS = [
    # Japanese: kana and kanji read as Japanese (Hepburn), a '-' between words, ASCII kept
    ("よくある質問", "ja", "yokuaru-shitsumon"),
    ("よくある質問 FAQ", None, "yokuaru-shitsumon-faq"),  # kana: Japanese in any article
    ("ＦＡＱ（よくある質問）", "en", "faq-yokuaru-shitsumon"),  # full-width Latin as ASCII
    ("東京での生活について", None, "toukyou-deno-seikatsu-nitsuite"),
    ("東京の生活", "ja", "toukyou-no-seikatsu"),
    ("日本語", "ja", "nihongo"),  # kanji alone, in a Japanese article
    # Chinese: kanji alone in a Chinese (or unknown) article stay pinyin-like
    ("常见问题解答", "zh", "chang-jian-wen-ti-jie-da"),
    ("東京", "zh", "dong-jing"),
    ("日本語", None, "ri-ben-yu"),
    # Russian (text-unidecode's table is the usual one) and Ukrainian (national system, 2010)
    ("Часто задаваемые вопросы", "ru", "chasto-zadavaemye-voprosy"),
    ("Как дела?", None, "kak-dela"),
    ("Що таке їжак?", None, "shcho-take-yizhak"),  # ї: letters only Ukrainian has
    ("Київ", "uk", "kyiv"),
    ("Ґанок і ярмарок", None, "ganok-i-yarmarok"),
    ("Згода", "uk", "zghoda"),
    # Greek (ELOT 743): digraphs
    ("Συχνές ερωτήσεις", "el", "sychnes-erotiseis"),
    ("Ευρώπη και αυτοκίνητο", None, "evropi-kai-aftokinito"),
    ("Μπορώ να αλλάξω;", "el", "boro-na-allaxo"),
    ("Άγγελος στην Αϊτή", None, "angelos-stin-aiti"),
    # Arabic: alef and ta marbuta written, the article apart
    ("الأسئلة الشائعة", "ar", "al-asila-al-shaia"),
    ("كيف يمكنني تغيير كلمة المرور؟", "ar", "kif-ymknni-tghiir-klma-al-mrur"),
    # Persian: its own letters and values (v, final e)
    ("پرسش‌های متداول", "fa", "prsshhay-mtdavl"),
    ("خانه", "fa", "khane"),
    # Korean: text-unidecode's Revised Romanization, letter by letter
    ("자주 묻는 질문", "ko", "jaju-mudneun-jilmun"),
    # Hebrew: vav and yod inside a word are vowels
    ("שאלות נפוצות", "he", "shlot-nfotsot"),
    # Hindi: the inherent vowel, dropped at the end of a word
    ("अक्सर पूछे जाने वाले प्रश्न", "hi", "aksar-puchhe-jane-vale-prashn"),
    ("हिंदी में मदद", "hi", "hindi-men-madad"),
    # Latin with diacritics, as before
    ("Straße und Größe", "de", "strasse-und-grosse"),
    ("Łódź", "pl", "lodz"),
]


@pytest.mark.parametrize(("text", "language", "expected"), TRANSLITERATIONS)
def test_titles_are_spelled_as_their_language_reads_them(
    text: str, language: str | None, expected: str
) -> None:
    assert slug_for(text, fallback="x", language=language) == expected


def test_english_slugs_are_what_they_always_were() -> None:
    assert slug_for("What’s the status of Iran-Pakistan ties?", fallback="x") == (
        "whats-the-status-of-iran-pakistan-ties"
    )
    assert slug_for("1,000 ways & more", fallback="x") == "1000-ways-more"
    for mode in ("ascii", "unicode"):
        assert slug_for("FAQ: Q&A", fallback="x", mode=mode) == "faq-q-a"


def test_japanese_article_reads_its_title_and_headings_as_japanese() -> None:
    source = (
        "# よくある質問\n\n概要です。\n\n## 料金はいくらですか？\n\n無料です。\n\n"
        "## 解約方法\n\nメールで。\n"
    )
    article = parse_article(source.encode(), source="faq.md").article
    assert article.language == "ja"
    assert article.slug == "yokuaru-shitsumon"
    assert [s.slug for s in article.sections] == ["ryoukin-haikuradesuka", "kaiyaku-houhou"]
    assert article.sections[0].url == "/articles/yokuaru-shitsumon/sections/ryoukin-haikuradesuka"


def test_chinese_article_keeps_chinese_readings() -> None:
    source = "# 常见问题\n\n这是概述。\n\n## 价格是多少？\n\n免费。\n\n## 如何取消\n\n发邮件。\n"
    article = parse_article(source.encode(), source="faq.md").article
    assert article.language == "zh"
    assert article.slug == "chang-jian-wen-ti"
    assert [s.slug for s in article.sections] == ["jie-ge-shi-duo-shao", "ru-he-qu-xiao"]


def test_ukrainian_article_uses_ukrainian_rules_for_letters_russian_shares() -> None:
    # "Київ" has no letter only Ukrainian has: the article's language decides.
    source = (
        "# Поради для Києва\n\nЦе стаття про місто, його вулиці та людей, які тут живуть.\n\n"
        "## Де жити в Києві?\n\nУ центрі міста є багато квартир.\n"
    )
    article = parse_article(source.encode(), source="kyiv.md").article
    assert article.language == "uk"
    assert article.slug == "porady-dlia-kyieva"
    assert article.sections[0].slug == "de-zhyty-v-kyievi"


LENGTH_CASES = ["質問" * 80, "よくある質問、" * 40, "Ελληνικά " * 30, "الأسئلة " * 30, "щ" * 200]


@pytest.mark.parametrize("text", LENGTH_CASES)
@pytest.mark.parametrize("mode", ["ascii", "unicode"])
def test_the_length_cap_holds(text: str, mode: SlugMode) -> None:
    slug = slug_for(text, fallback="x", mode=mode)
    assert 0 < len(slug) <= MAX_SLUG_LENGTH
    assert not slug.startswith("-") and not slug.endswith("-")


def test_repeats_get_numbers_in_either_mode() -> None:
    for mode in ("ascii", "unicode"):
        allocator = SlugAllocator(language="ja", mode=mode)
        first = allocator.allocate("質問")
        assert allocator.allocate("質問") == f"{first}-2"


# -- Unicode mode ----------------------------------------------------------------------

UNICODE_SLUGS = [
    ("よくある質問 FAQ", "よくある質問-faq"),
    ("Часто задаваемые вопросы", "часто-задаваемые-вопросы"),
    ("Συχνές Ερωτήσεις;", "συχνές-ερωτήσεις"),
    ("الأسئلة الشائعة؟", "الأسئلة-الشائعة"),
    ("पूछे जाने वाले प्रश्न", "पूछे-जाने-वाले-प्रश्न"),  # vowel signs (marks) kept
    ("Straße & Größe", "straße-größe"),
    ("What’s new?", "whats-new"),
]


@pytest.mark.parametrize(("text", "expected"), UNICODE_SLUGS)
def test_unicode_mode_keeps_the_letters_of_every_script(text: str, expected: str) -> None:
    assert slug_for(text, fallback="x", mode="unicode") == expected


def test_unicode_mode_is_nfc_and_lower_case() -> None:
    decomposed = unicodedata.normalize("NFD", "Émile Zola")
    slug = slug_for(decomposed, fallback="x", mode="unicode")
    assert slug == "émile-zola"
    assert unicodedata.is_normalized("NFC", slug)


def test_unicode_article_urls_are_percent_encoded() -> None:
    source = "# よくある質問\n\n概要です。\n\n## 料金\n\n無料です。\n"
    article = parse_article(source.encode(), source="faq.md", slugs="unicode").article
    assert article.slug == "よくある質問"
    assert article.sections[0].slug == "料金"
    expected = f"/articles/{quote('よくある質問')}/sections/{quote('料金')}"
    assert article.sections[0].url == expected
    assert article.sections[0].url.isascii()
    assert unquote(article.sections[0].url) == "/articles/よくある質問/sections/料金"


def test_path_segments_of_ascii_slugs_are_the_slugs() -> None:
    assert path_segment("whats-new") == "whats-new"
    assert path_segment("よくある質問") == "%E3%82%88%E3%81%8F%E3%81%82%E3%82%8B%E8%B3%AA%E5%95%8F"


# -- properties --------------------------------------------------------------------------

LANGUAGES = st.sampled_from([None, "en", "ja", "zh", "ru", "uk", "el", "ar", "fa", "he", "hi"])


@given(st.text(max_size=200), LANGUAGES)
def test_ascii_slugs_are_lowercase_ascii_words_for_any_text(
    text: str, language: str | None
) -> None:
    slug = slug_for(text, fallback="fallback", language=language)
    assert ASCII_SLUG.match(slug), slug
    assert len(slug) <= MAX_SLUG_LENGTH
    assert slug_for(text, fallback="fallback", language=language) == slug  # a pure function


@given(
    st.text(
        alphabet=st.characters(
            # Kana, kanji, Hangul, Cyrillic, Greek, Arabic, Hebrew, Devanagari and spaces
            categories=["Lo", "Ll", "Lu", "Mn", "Mc", "Zs"],
            max_codepoint=0xFFFF,
        ),
        max_size=60,
    ),
    LANGUAGES,
)
def test_ascii_slugs_of_letters_of_any_script(text: str, language: str | None) -> None:
    slug = slug_for(text, fallback="fallback", language=language)
    assert ASCII_SLUG.match(slug), slug


@given(st.text(max_size=200))
def test_unicode_slugs_hold_no_separator_or_upper_case(text: str) -> None:
    slug = slug_for(text, fallback="fallback", mode="unicode")
    assert 0 < len(slug) <= MAX_SLUG_LENGTH
    assert slug == slug.lower() or not slug.isascii()
    assert unicodedata.is_normalized("NFC", slug)
    assert not re.search(r"[\s/?#%&]", slug)
    assert "--" not in slug and not slug.startswith("-") and not slug.endswith("-")
    assert unquote(path_segment(slug)) == slug
