import os

from django.core.wsgi import get_wsgi_application

# A server that forgot DJANGO_SETTINGS_MODULE gets production settings, which fail loudly without their
# secrets; development (manage.py runserver) uses jobmatch.settings.base.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobmatch.settings.prod")
application = get_wsgi_application()
