"""The terms every new organisation starts with, until an admin writes its own."""

OFFER_ES = (
    "Puedes usar tus redes sociales en horario de trabajo para compartir lo que te parezca "
    "interesante de la empresa. Te ofrecemos formación sobre redes y reconocimiento público "
    "solo si tú lo eliges. Participar o no participar no tiene ninguna consecuencia."
)
OFFER_EN = (
    "You may use your social networks during working hours to pass on what you find worth "
    "sharing from the company. We offer training on social media, and public recognition only "
    "if you choose it. Taking part or not has no consequence whatsoever."
)
COMMITMENT_ES = (
    "Compartes los mensajes de la empresa solo cuando te parezcan valiosos, con tus propias "
    "palabras, indicando que trabajas aquí. No hay cuotas ni objetivos individuales, y puedes "
    "dejar el programa cuando quieras con un clic."
)
COMMITMENT_EN = (
    "You pass on company messages only when you find them worthwhile, in your own words, saying "
    "that you work here. There are no quotas or individual targets, and you can leave the "
    "program at any moment with one click."
)
