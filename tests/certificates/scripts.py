"""A name, program and message in each script a certificate must print (docs/product-rules.md
§3, "What a certificate prints"), for the tests that render and read them back."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    script: str
    name: str
    program: str
    message: str
    rtl: bool = False


SAMPLES = (
    Sample(
        "latin",
        "Łukasz Żółkiewski-Ōtsuka",  # outside Windows-1252: drawn shaped, in DejaVu Serif
        "Sécurité des entrepôts et conduite de chariots élévateurs",
        "Gratulujemy ukończenia szkolenia, Łukasz! Dziękujemy za zaangażowanie.",
    ),
    Sample(
        "cyrillic",
        "Анна-Мария Иванова",
        "Безопасность на складе и управление погрузчиком",
        "Поздравляем с успешным завершением программы обучения",
    ),
    Sample(
        "greek",
        "Δημήτρης Παπαδόπουλος",
        "Ασφάλεια αποθήκης και χειρισμός περονοφόρου",
        "Συγχαρητήρια για την ολοκλήρωση της εκπαίδευσης",
    ),
    Sample(
        "cjk",
        "王小明",
        "倉庫安全とフォークリフト操作",
        "김민준 님 교육 과정을 성공적으로 마치신 것을 축하합니다",
    ),
    Sample(
        "arabic",
        "محمد بن عبد الله",
        "سلامة المستودعات وتشغيل الرافعة الشوكية",
        "تهانينا على إتمام برنامج التدريب بنجاح",
        rtl=True,
    ),
    Sample(
        "hebrew",
        "שירה כהן",
        "בטיחות במחסן והפעלת מלגזה",
        "ברכות על סיום תוכנית ההכשרה בהצלחה",
        rtl=True,
    ),
    Sample(
        "devanagari",
        "कृष्ण किशोर क्षत्रिय",
        "गोदाम सुरक्षा और फोर्कलिफ्ट संचालन",
        "प्रशिक्षण कार्यक्रम सफलतापूर्वक पूरा करने पर बधाई",
    ),
    Sample(
        "thai",
        "สมชาย ใจดี",
        "ความปลอดภัยในคลังสินค้าและการขับรถยก",
        "ขอแสดงความยินดีที่สำเร็จการฝึกอบรม น้ำใจดีเยี่ยม",
    ),
)
