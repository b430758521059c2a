{{ ro_form_items(source('mhclg_ro3', 'mhclg_ro3')) }}
